/**
 * Model folders in the Hugging Face layout: config.json, model.safetensors (GPT-2 tensor names:
 * attention as one c_attn [d, 3d] matrix, Conv1D [in, out] orientation), tokenizer.json.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../backend.ts';
import { encodeSafetensors, readSafetensors } from '../safetensors.ts';
import { fromHfConfig, parameterCount, toHfConfig, type GptConfig } from './config.ts';
import type { Params } from './model.ts';
import type { ModelHandle } from '../../sdk/index.ts';

export type { ModelHandle };


/** Joins q|k|v column blocks row by row into GPT-2's c_attn layout. */
function joinColumns(parts: Float32Array[], rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols * parts.length);
  for (let r = 0; r < rows; r++) parts.forEach((p, i) => out.set(p.subarray(r * cols, (r + 1) * cols), r * cols * parts.length + i * cols));
  return out;
}

function splitColumns(data: Float32Array, rows: number, cols: number, parts: number): Float32Array[] {
  return Array.from({ length: parts }, (_, i) => {
    const out = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) out.set(data.subarray(r * cols * parts + i * cols, r * cols * parts + (i + 1) * cols), r * cols);
    return out;
  });
}

/** GPT-2-named tensors from the in-memory parameters. */
export async function exportTensors(params: Params, c: GptConfig): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  const read = async (name: string) => (await params.get(name)!.data()) as Float32Array;
  for (const [name, v] of params) {
    if (/\.attn\.[qkv]\./.test(name)) continue;
    out.set(name, { shape: v.shape, data: await read(name) });
  }
  const d = c.width;
  for (let i = 0; i < c.layers; i++) {
    const h = `h.${i}.attn.`;
    out.set(h + 'c_attn.weight', { shape: [d, 3 * d], data: joinColumns([await read(h + 'q.weight'), await read(h + 'k.weight'), await read(h + 'v.weight')], d, d) });
    out.set(h + 'c_attn.bias', { shape: [3 * d], data: joinColumns([await read(h + 'q.bias'), await read(h + 'k.bias'), await read(h + 'v.bias')], 1, d) });
  }
  return out;
}

export async function saveModelFolder(dir: string, params: Params, c: GptConfig, tokenizerPath: string, metadata: Record<string, string> = {}): Promise<ModelHandle> {
  writeFileSync(join(dir, 'config.json'), JSON.stringify(toHfConfig(c), null, 2) + '\n');
  writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(await exportTensors(params, c), { format: 'pt', ...metadata }));
  if (tokenizerPath !== join(dir, 'tokenizer.json')) copyFileSync(tokenizerPath, join(dir, 'tokenizer.json'));
  return { kind: 'model', dir, parameters: parameterCount(c), config: c };
}

export function readModelConfig(dir: string): GptConfig {
  const file = join(dir, 'config.json');
  if (!existsSync(file)) throw new Error(`${dir} has no config.json; a model folder needs config.json, model.safetensors and tokenizer.json`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return fromHfConfig(raw, file);
}

/** Loads weights, checking every expected tensor is present with the right shape before creating any variable. */
export function loadModelFolder(dir: string): { config: GptConfig; params: Params } {
  const c = readModelConfig(dir);
  const file = join(dir, 'model.safetensors');
  if (!existsSync(file)) throw new Error(`${dir} has no model.safetensors`);
  const { tensors } = readSafetensors(file);
  // Some exports prefix GPT-2 names with "transformer.".
  const get = (name: string) => tensors.get(name) ?? tensors.get(`transformer.${name}`);
  const d = c.width;
  const expected = new Map<string, number[]>([
    ['wte.weight', [c.vocabSize, d]],
    ['wpe.weight', [c.contextLength, d]],
    ['ln_f.weight', [d]],
    ['ln_f.bias', [d]],
  ]);
  for (let i = 0; i < c.layers; i++) {
    const h = `h.${i}.`;
    for (const [n, s] of [
      ['ln_1.weight', [d]], ['ln_1.bias', [d]], ['attn.c_attn.weight', [d, 3 * d]], ['attn.c_attn.bias', [3 * d]],
      ['attn.c_proj.weight', [d, d]], ['attn.c_proj.bias', [d]], ['ln_2.weight', [d]], ['ln_2.bias', [d]],
      ['mlp.c_fc.weight', [d, 4 * d]], ['mlp.c_fc.bias', [4 * d]], ['mlp.c_proj.weight', [4 * d, d]], ['mlp.c_proj.bias', [d]],
    ] as Array<[string, number[]]>) expected.set(h + n, s);
  }
  if (!c.tiedEmbeddings) expected.set('lm_head.weight', [d, c.vocabSize]);
  if (c.numClasses) {
    expected.set('score.weight', [d, c.numClasses]);
    expected.set('score.bias', [c.numClasses]);
  }
  const data = new Map<string, Float32Array>();
  for (const [name, shape] of expected) {
    const t = get(name);
    if (!t) throw new Error(`${file}: tensor "${name}" is missing`);
    if (t.shape.join(',') !== shape.join(',')) throw new Error(`${file}: tensor "${name}" has shape [${t.shape}], config.json implies [${shape}]`);
    if (!(t.data instanceof Float32Array)) throw new Error(`${file}: tensor "${name}" is ${t.dtype}; weights must be floating point`);
    data.set(name, t.data);
  }
  const params: Params = new Map();
  const add = (name: string, shape: number[], values: Float32Array) => params.set(name, tf.variable(tf.tensor(values, shape), true));
  for (const [name, values] of data) {
    if (name.includes('c_attn')) continue;
    add(name, expected.get(name)!, values);
  }
  for (let i = 0; i < c.layers; i++) {
    const h = `h.${i}.attn.`;
    const [qw, kw, vw] = splitColumns(data.get(h + 'c_attn.weight')!, d, d, 3);
    const [qb, kb, vb] = splitColumns(data.get(h + 'c_attn.bias')!, 1, d, 3);
    add(h + 'q.weight', [d, d], qw!);
    add(h + 'k.weight', [d, d], kw!);
    add(h + 'v.weight', [d, d], vw!);
    add(h + 'q.bias', [d], qb!);
    add(h + 'k.bias', [d], kb!);
    add(h + 'v.bias', [d], vb!);
  }
  return { config: c, params };
}

