/**
 * Structured pruning: whole MLP neurons or attention heads leave the model, so it gets smaller and
 * faster, not just sparser. The same number go from every layer (a config.json has one
 * intermediate_size and one head count), each layer choosing which by importance: the product of
 * the L2 norms of what feeds the unit and what it feeds. Heads keep grouped-query attention valid:
 * with several query heads per key/value head, the same number leave each group; with one, whole
 * key/value heads leave with their query head.
 */
import { tf } from '../backend.ts';
import type { GptConfig } from '../gpt/config.ts';
import { newVariable, type Params } from '../gpt/model.ts';
import { shapeOf } from '../hf-config.ts';

export interface StructuredResult {
  config: GptConfig;
  /** Per layer, the units kept (neuron or query-head indices of the original). */
  kept: number[][];
  removedPerLayer: number;
}

async function read(p: Params, name: string): Promise<{ data: Float32Array; shape: number[] }> {
  const v = p.get(name);
  if (!v) throw new Error(`model has no parameter "${name}"`);
  return { data: (await v.data()) as Float32Array, shape: v.shape };
}

/** Sum of squares of column blocks [c*size, (c+1)*size) of a [rows, cols] matrix, per block. */
function columnBlockNorms(m: { data: Float32Array; shape: number[] }, size: number): number[] {
  const [rows, cols] = m.shape as [number, number];
  const out = new Array<number>(cols / size).fill(0);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[Math.floor(c / size)]! += m.data[r * cols + c]! ** 2;
  return out;
}

/** Same, for row blocks of a [rows, cols] matrix. */
function rowBlockNorms(m: { data: Float32Array; shape: number[] }, size: number): number[] {
  const [rows, cols] = m.shape as [number, number];
  const out = new Array<number>(rows / size).fill(0);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[Math.floor(r / size)]! += m.data[r * cols + c]! ** 2;
  return out;
}

/** Indices of the `keep` largest scores, in their original order. */
function topIndices(scores: number[], keep: number): number[] {
  return scores
    .map((s, i) => [s, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, keep)
    .map(([, i]) => i)
    .sort((a, b) => a - b);
}

/** Replaces a variable by the chosen column blocks (axis 1) or row blocks (axis 0) of it. */
function keepBlocks(p: Params, name: string, blocks: number[], size: number, axis: 0 | 1): void {
  const v = p.get(name);
  if (!v) return;
  const idx = blocks.flatMap((b) => Array.from({ length: size }, (_, j) => b * size + j));
  const next = newVariable(() => tf.gather(v, tf.tensor1d(idx, 'int32'), v.rank === 1 ? 0 : axis));
  v.dispose();
  p.set(name, next);
}

export function removedCount(total: number, share: number): number {
  return Math.min(total - 1, Math.round(total * share));
}

/** Removes the least important MLP neurons, the same number in every layer. */
export async function pruneMlpNeurons(p: Params, config: GptConfig, share: number): Promise<StructuredResult> {
  const c = shapeOf(config);
  const I = c.intermediateSize;
  const remove = removedCount(I, share);
  if (remove < 1) throw new Error(`sparsity ${share} removes no MLP neuron of ${I}; raise it`);
  const kept: number[][] = [];
  const gpt2 = c.family === 'gpt2';
  for (let i = 0; i < c.layers; i++) {
    const h = `h.${i}.mlp.`;
    const ins = gpt2 ? [h + 'c_fc.weight'] : [h + 'gate.weight', h + 'up.weight'];
    const out = gpt2 ? h + 'c_proj.weight' : h + 'down.weight';
    const inNorm = new Array<number>(I).fill(0);
    for (const n of ins) columnBlockNorms(await read(p, n), 1).forEach((s, j) => (inNorm[j]! += s));
    const outNorm = rowBlockNorms(await read(p, out), 1);
    const keep = topIndices(inNorm.map((s, j) => Math.sqrt(s) * Math.sqrt(outNorm[j]!)), I - remove);
    kept.push(keep);
    for (const n of ins) keepBlocks(p, n, keep, 1, 1);
    for (const b of gpt2 ? [h + 'c_fc.bias'] : [h + 'gate.bias', h + 'up.bias']) keepBlocks(p, b, keep, 1, 0);
    keepBlocks(p, out, keep, 1, 0);
  }
  return { config: { ...config, intermediateSize: I - remove }, kept, removedPerLayer: remove };
}

/** Removes the least important attention heads (Llama family), the same number in every layer. */
export async function pruneHeads(p: Params, config: GptConfig, share: number): Promise<StructuredResult> {
  const c = shapeOf(config);
  if (c.family === 'gpt2') {
    throw new Error("GPT-2 heads cannot be removed: GPT-2's config.json has one width for attention and the residual stream, so transformers could not load the result. Prune MLP neurons instead, or use a Llama-family model");
  }
  const H = c.heads;
  const KV = c.kvHeads;
  const hd = c.headDim;
  const rep = H / KV;
  // Several query heads per key/value head: the same number leave each group. One: whole groups leave.
  const byGroup = rep > 1;
  const remove = byGroup ? removedCount(rep, share) : removedCount(KV, share);
  if (remove < 1) throw new Error(`sparsity ${share} removes no head (${byGroup ? `${rep} query heads per key/value head` : `${KV} heads`}); raise it`);
  const kept: number[][] = [];
  for (let i = 0; i < c.layers; i++) {
    const a = `h.${i}.attn.`;
    const qIn = columnBlockNorms(await read(p, a + 'q.weight'), hd);
    const oOut = rowBlockNorms(await read(p, a + 'c_proj.weight'), hd);
    const headScore = qIn.map((s, h) => Math.sqrt(s) * Math.sqrt(oOut[h]!));
    let keepQ: number[];
    let keepKv: number[];
    if (byGroup) {
      keepKv = Array.from({ length: KV }, (_, g) => g);
      keepQ = keepKv.flatMap((g) => topIndices(headScore.slice(g * rep, (g + 1) * rep), rep - remove).map((j) => g * rep + j));
    } else {
      const kIn = columnBlockNorms(await read(p, a + 'k.weight'), hd);
      const vIn = columnBlockNorms(await read(p, a + 'v.weight'), hd);
      const groupScore = headScore.map((s, g) => s + Math.sqrt(kIn[g]!) * Math.sqrt(vIn[g]!));
      keepKv = topIndices(groupScore, KV - remove);
      keepQ = keepKv;
    }
    kept.push(keepQ);
    keepBlocks(p, a + 'q.weight', keepQ, hd, 1);
    keepBlocks(p, a + 'q.bias', keepQ, hd, 0);
    keepBlocks(p, a + 'c_proj.weight', keepQ, hd, 0);
    if (!byGroup) {
      for (const x of ['k', 'v']) {
        keepBlocks(p, `${a}${x}.weight`, keepKv, hd, 1);
        keepBlocks(p, `${a}${x}.bias`, keepKv, hd, 0);
      }
    }
  }
  const heads = byGroup ? KV * (rep - remove) : KV - remove;
  return { config: { ...config, heads, kvHeads: byGroup ? KV : KV - remove, headDim: hd }, kept, removedPerLayer: H - heads };
}
