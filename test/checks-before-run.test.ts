/**
 * Problems that used to appear only at Run are found by validation, before any model is built: a
 * context longer than the model's, an encoder where a decoder is needed (and back), a model that will
 * not fit in memory (the trainers' own estimate and words), no validation split (a warning), GPT-2
 * head pruning. Model facts come from params, from a folder's config.json and from the Hub cache, and
 * flow through the nodes that pass a model along.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeRegistry } from '../nodes/index.ts';
import { catalogueOf, checkGraph, type Graph, type GraphError, type ValidationEnv, type ValidationMemory } from '../nodes/sdk/index.ts';
import { WASM_BUDGET } from '../nodes/lib/memory-estimate.ts';
import { assertFitsBackend } from '../nodes/lib/train/memory-check.ts';
import { checkForRun } from '../src-main/engine/prepare.ts';
import { machineFacts, platformGpuMemory, trainingMemoryFor } from '../src-main/host/training-memory.ts';
import { parseNvidiaSmi } from '../nodes/lib/gpu-inventory.ts';
import { graphOf, tempDir } from './helpers.ts';

const catalogue = catalogueOf(nodeRegistry);
type Edge = [string, string, string, string];

/** Tokenizer -> new model -> `trainer`, with chat data split (or not) into train and validation. */
function sftGraph(model: Record<string, unknown>, sft: Record<string, unknown>, opts: { split?: boolean; trainer?: string } = {}): Graph {
  const split = opts.split ?? true;
  const nodes = [
    { id: 'tok', type: 'tokenizer', params: { kind: 'byte-level' } },
    { id: 'model', type: 'model', version: 2, params: { source: 'new', architecture: 'gpt2', layers: 2, heads: 4, width: 64, context: 64, ...model } },
    { id: 'data', type: 'dataset.synthetic', params: {} },
    { id: 'chat', type: 'data.chat', params: {} },
    ...(split ? [{ id: 'split', type: 'data.split', params: { validation: 0.1 } }] : []),
    { id: 'sft', type: opts.trainer ?? 'train.sft', params: sft },
  ];
  const edges: Edge[] = [
    ['tok', 'tokenizer', 'model', 'tokenizer'],
    ['model', 'model', 'sft', 'model'],
    ['data', 'dataset', 'chat', 'dataset'],
    ...(split ? ([['chat', 'dataset', 'split', 'dataset'], ['split', 'dataset', 'sft', 'dataset']] as Edge[]) : ([['chat', 'dataset', 'sft', 'dataset']] as Edge[])),
  ];
  return graphOf(nodes, edges);
}

const on = (list: GraphError[], nodeId: string) => list.filter((e) => e.nodeId === nodeId);
/** Tokenizer -> new model -> DPO on the built-in preference pairs. */
function dpoGraph(model: Record<string, unknown>, dpo: Record<string, unknown>, prefs: Record<string, unknown> = {}): Graph {
  return graphOf(
    [
      { id: 'tok', type: 'tokenizer', params: { kind: 'byte-level' } },
      { id: 'model', type: 'model', version: 2, params: { source: 'new', ...model } },
      { id: 'prefs', type: 'dataset.preferences', params: prefs },
      { id: 'dpo', type: 'train.dpo', params: dpo },
    ],
    [['tok', 'tokenizer', 'model', 'tokenizer'], ['model', 'model', 'dpo', 'model'], ['prefs', 'preferences', 'dpo', 'preferences']],
  );
}

const wasm = (): ValidationEnv => ({ trainingMemory: () => WASM_BUDGET });

describe('checks before the run', () => {
  it('refuses a fine-tune context longer than the model\'s, naming the param and the fix', () => {
    const bad = checkGraph(sftGraph({ context: 64 }, { context: 128 }), catalogue);
    expect(on(bad.errors, 'sft').map((e) => [e.param, e.message])).toEqual([
      ['context', "Context 128 is longer than the model's context of 64 tokens. Set Context to 64 or less (0 uses the model's)."],
    ]);
    expect(on(checkGraph(sftGraph({ context: 64 }, { context: 64 }), catalogue).errors, 'sft')).toEqual([]);
    expect(on(checkGraph(sftGraph({ context: 64 }, { context: 0 }), catalogue).errors, 'sft')).toEqual([]);
  });

  it('refuses an encoder where a decoder is needed, and a decoder for masked-LM training', () => {
    const encoder = checkGraph(sftGraph({ architecture: 'encoder' }, {}), catalogue);
    const [e] = on(encoder.errors, 'sft');
    expect(e?.port).toBe('model');
    expect(e?.message).toMatch(/^Chat fine-tuning needs a decoder .* but the connected model is an encoder .*or set the Model node's Architecture to gpt2 or llama\.$/);
    // Classification takes an encoder (BERT's pooler) as well as a decoder.
    expect(on(checkGraph(sftGraph({ architecture: 'encoder' }, { mode: 'classification' }), catalogue).errors, 'sft').filter((x) => x.port === 'model')).toEqual([]);
    for (const trainer of ['train.dpo', 'train.rm', 'generate', 'train.rl', 'prune', 'quantize', 'deploy', 'export']) {
      const g = graphOf(
        [
          { id: 'tok', type: 'tokenizer', params: { kind: 'byte-level' } },
          { id: 'model', type: 'model', version: 2, params: { source: 'new', architecture: 'encoder' } },
          { id: 'n', type: trainer, params: {} },
        ],
        [['tok', 'tokenizer', 'model', 'tokenizer'], ['model', 'model', 'n', 'model']],
      );
      expect(on(checkGraph(g, catalogue).errors, 'n').some((x) => x.port === 'model' && /needs a decoder/.test(x.message)), trainer).toBe(true);
    }
    const masked = checkGraph(sftGraph({ architecture: 'gpt2' }, { objective: 'masked' }, { trainer: 'train.pretrain' }), catalogue);
    expect(on(masked.errors, 'sft').map((x) => x.param)).toEqual(['objective']);
    expect(on(masked.errors, 'sft')[0]!.message).toMatch(/^Masked language-model training needs an encoder/);
    expect(on(checkGraph(sftGraph({ architecture: 'encoder' }, { objective: 'masked' }, { trainer: 'train.pretrain' }), catalogue).errors, 'sft')).toEqual([]);
  });

  it('runs the memory estimate at validation with the words the trainer stops with, and a batch that then fits', () => {
    // About 300M parameters at context 1024: over the wasm heap at batch 16 even with LoRA-free full training.
    const big = { layers: 24, heads: 16, width: 1024, context: 1024 };
    const g = sftGraph(big, { batchSize: 16 });
    const [e] = on(checkGraph(g, catalogue, wasm()).errors, 'sft');
    expect(e?.param).toBe('batchSize');
    expect(e?.message).toMatch(/^Training needs about [\d.]+ GiB at batch size 16, context 1024, more than the wasm backend's 4 GiB heap allows\./);
    // The same estimate and message as when the trainer starts, on the config the Model node builds (byte-level vocabulary 257).
    const config = { vocabSize: 257, contextLength: 1024, width: 1024, layers: 24, heads: 16, dropout: 0.1, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1, family: 'gpt2' as const, intermediateSize: 4096 };
    expect(() => assertFitsBackend('wasm', config, 16, 1024, 1)).toThrow(e!.message.charAt(0).toLowerCase() + e!.message.slice(1));
    // Without a device budget (TensorFlow's CPU kernels use the machine's memory) there is nothing to check.
    expect(on(checkGraph(g, catalogue).errors, 'sft')).toEqual([]);
    // A budget only likely (Auto on a machine that may have a GPU) warns instead of refusing.
    const likely: ValidationMemory = { ...WASM_BUDGET, likely: 'if no GPU is found, training runs on the CPU (wasm backend), where ' };
    const warned = checkGraph(g, catalogue, { trainingMemory: () => likely });
    expect(on(warned.errors, 'sft')).toEqual([]);
    expect(on(warned.warnings, 'sft')[0]?.message).toMatch(/^If no GPU is found, training runs on the CPU \(wasm backend\), where training needs about/);
    // A smaller model that fits passes; LoRA on the big one needs less than full training.
    expect(on(checkGraph(sftGraph({}, { batchSize: 16 }), catalogue, wasm()).errors, 'sft')).toEqual([]);
    const small = sftGraph({ layers: 6, heads: 12, width: 768, context: 256 }, { batchSize: 64 });
    const advice = on(checkGraph(small, catalogue, wasm()).errors, 'sft')[0]?.message ?? '';
    const m = /Use batch size (\d+)/.exec(advice);
    expect(m, advice).not.toBeNull();
    const fitting = sftGraph({ layers: 6, heads: 12, width: 768, context: 256 }, { batchSize: Number(m![1]) });
    expect(on(checkGraph(fitting, catalogue, wasm()).errors, 'sft')).toEqual([]);
  });

  it('refuses a new model whose weights alone do not fit, before it is built', () => {
    const huge = sftGraph({ layers: 48, heads: 32, width: 4096, context: 128 }, {});
    const [e] = on(checkGraph(huge, catalogue, wasm()).errors, 'model');
    expect(e?.param).toBe('width');
    expect(e?.message).toMatch(/^A new model of [\d,]+ parameters needs [\d.]+ GiB for its weights alone, more than the wasm backend's 4 GiB heap allows \(3\.5 GiB\)\. Use fewer layers or a smaller width\.$/);
    expect(on(checkGraph(sftGraph({}, {}), catalogue, wasm()).errors, 'model')).toEqual([]);
  });

  it('checks the device each node asks for: CPU means the wasm heap, Auto on a machine without a GPU too', () => {
    const noGpu = trainingMemoryFor({ tensorflow: false, gpuMayBePresent: false });
    expect(noGpu('auto')?.totalBytes).toBe(WASM_BUDGET.totalBytes);
    expect(noGpu('auto')?.likely).toBeUndefined();
    const maybeGpu = trainingMemoryFor({ tensorflow: false, gpuMayBePresent: true });
    expect(maybeGpu('cpu')?.likely).toBeUndefined();
    expect(maybeGpu('auto')?.likely).toBeTruthy();
    expect(maybeGpu('gpu')).toBeUndefined();
    expect(trainingMemoryFor({ tensorflow: false, gpuMayBePresent: true, gpuMemoryGiB: 8 })('gpu')?.totalBytes).toBeCloseTo(8 * 0.85 * 1024 ** 3);
    expect(trainingMemoryFor({ tensorflow: true, gpuMayBePresent: false })('cpu')).toBeUndefined();

    const g = sftGraph({ layers: 24, heads: 16, width: 1024, context: 256 }, { batchSize: 16 });
    g.nodes.find((n) => n.id === 'sft')!.device = 'cpu';
    expect(on(checkGraph(g, catalogue, { trainingMemory: maybeGpu }).errors, 'sft').map((e) => e.param)).toEqual(['batchSize']);
  });

  it("checks a GPU node against the GPU memory the platform reports (nvidia-smi's output, faked), the smallest card of several", () => {
    // Two NVIDIA cards, 24 GiB and 16 GiB, as `nvidia-smi --query-gpu=name,pci.bus_id,memory.total` prints them.
    const gpus = parseNvidiaSmi('NVIDIA GeForce RTX 4090, 00000000:17:00.0, 24564\nNVIDIA RTX A4000, 00000000:65:00.0, 16376\n');
    expect(platformGpuMemory(gpus)).toEqual({ gib: 16, source: 'nvidia-smi' });
    expect(platformGpuMemory([])).toBeUndefined();
    const saved = process.env.WEFT_GPU_MEMORY_GIB;
    delete process.env.WEFT_GPU_MEMORY_GIB;
    try {
      const facts = machineFacts(() => gpus);
      expect(facts).toMatchObject({ gpuMayBePresent: true, gpuMemoryGiB: 16, gpuMemorySource: 'nvidia-smi' });
      // GPT-2 medium's shape (about 350M parameters), full fine-tuning at 16 x 256: beyond 16 GiB.
      const g = sftGraph({ layers: 24, heads: 16, width: 1024, context: 256 }, { batchSize: 16 });
      g.nodes.find((n) => n.id === 'sft')!.device = 'gpu';
      const [e] = on(checkGraph(g, catalogue, { trainingMemory: trainingMemoryFor(facts) }).errors, 'sft');
      expect(e?.message).toMatch(/the GPU's 16 GiB \(nvidia-smi\) allows\. Use batch size (\d+) with gradient accumulation (\d+)/);
      // What it suggests passes on that GPU.
      const [, batch, accum] = /Use batch size (\d+) with gradient accumulation (\d+)/.exec(e!.message)!;
      const fitting = sftGraph({ layers: 24, heads: 16, width: 1024, context: 256 }, { batchSize: Number(batch), gradAccum: Number(accum) });
      fitting.nodes.find((n) => n.id === 'sft')!.device = 'gpu';
      expect(on(checkGraph(fitting, catalogue, { trainingMemory: trainingMemoryFor(facts) }).errors, 'sft')).toEqual([]);
      // The user's figure overrides the platform's.
      process.env.WEFT_GPU_MEMORY_GIB = '4';
      expect(machineFacts(() => gpus)).toMatchObject({ gpuMemoryGiB: 4, gpuMemorySource: 'WEFT_GPU_MEMORY_GIB' });
      expect(on(checkGraph(fitting, catalogue, { trainingMemory: trainingMemoryFor(machineFacts(() => gpus)) }).errors, 'sft')[0]?.message).toMatch(/the GPU's 4 GiB \(WEFT_GPU_MEMORY_GIB\)/);
    } finally {
      if (saved === undefined) delete process.env.WEFT_GPU_MEMORY_GIB;
      else process.env.WEFT_GPU_MEMORY_GIB = saved;
    }
  });

  it("counts a DPO batch in pairs (two sequences each), and its advice names a batch and an accumulation DPO has, which then pass", () => {
    const dpo = (params: Record<string, unknown>) => dpoGraph({ architecture: 'gpt2', layers: 8, heads: 8, width: 512, context: 256 }, { batchSize: 8, ...params });
    const [e] = on(checkGraph(dpo({}), catalogue, wasm()).errors, 'dpo');
    expect(e?.message).toMatch(/^Training needs about [\d.]+ GiB at batch size 8, context 256, more than the wasm backend's 4 GiB heap allows\. Use batch size (\d+) with gradient accumulation (\d+) \(the same effective batch\)/);
    const [, batch, accum] = /Use batch size (\d+) with gradient accumulation (\d+)/.exec(e!.message)!;
    expect(Number(batch) * Number(accum)).toBe(8);
    expect(on(checkGraph(dpo({ batchSize: Number(batch), gradAccum: Number(accum) }), catalogue, wasm()).errors, 'dpo')).toEqual([]);
    // Eight pairs are sixteen sequences: the estimate is that of fine-tuning at batch size 16.
    const sft = sftGraph({ layers: 8, heads: 8, width: 512, context: 256 }, { batchSize: 16 });
    sft.nodes.find((n) => n.id === 'sft')!.device = 'cpu';
    const gib = (m: string | undefined) => /needs about ([\d.]+) GiB/.exec(m ?? '')?.[1];
    expect(gib(e!.message)).toBe(gib(on(checkGraph(sft, catalogue, wasm()).errors, 'sft')[0]?.message));
  });

  it('warns, without blocking, when a trainer gets no validation split', () => {
    const checked = checkGraph(sftGraph({}, {}, { split: false }), catalogue);
    expect(on(checked.errors, 'sft')).toEqual([]);
    expect(on(checked.warnings, 'sft').map((w) => [w.port, w.severity, w.code])).toEqual([['dataset', 'warning', 'node_warning']]);
    expect(on(checked.warnings, 'sft')[0]!.message).toBe(
      'The data has no validation split, so fine-tuning reports no validation loss. Put a "Split train/validation/test" node before it to hold some records out.',
    );
    expect(checkGraph(sftGraph({}, {}), catalogue).warnings).toEqual([]);
    // The engine's check lets the graph run, with the warning.
    const r = checkForRun(sftGraph({}, {}, { split: false }), catalogue, tempDir(), []);
    expect(r.ok).toBe(true);
    expect(r.ok && r.checked.warnings.map((w) => w.nodeId)).toEqual(['sft']);
    // Preferences with nothing held out.
    const dpo = dpoGraph({}, {}, { heldOut: 0 });
    const dpoChecked = checkGraph(dpo, catalogue);
    expect(on(dpoChecked.warnings, 'dpo')[0]?.message).toMatch(/no held-out pairs measure preference accuracy\. Set Held out above 0/);
  });

  it('refuses evaluating or measuring on a split the data will not have', () => {
    const g = (split: string, test: number) =>
      graphOf(
        [
          { id: 'tok', type: 'tokenizer', params: { kind: 'byte-level' } },
          { id: 'model', type: 'model', version: 2, params: { source: 'new' } },
          { id: 'data', type: 'dataset.synthetic', params: {} },
          { id: 'split', type: 'data.split', params: { validation: 0.1, test } },
          { id: 'chat', type: 'data.chat', params: {} },
          { id: 'eval', type: 'eval', params: { metric: 'exact-match', split } },
          { id: 'q', type: 'quantize', params: { split } },
        ],
        [
          ['tok', 'tokenizer', 'model', 'tokenizer'],
          ['data', 'dataset', 'split', 'dataset'],
          ['split', 'dataset', 'chat', 'dataset'],
          ['model', 'model', 'eval', 'model'],
          ['chat', 'dataset', 'eval', 'dataset'],
          ['model', 'model', 'q', 'model'],
          ['chat', 'dataset', 'q', 'dataset'],
        ],
      );
    const errors = checkGraph(g('test', 0), catalogue).errors;
    expect(on(errors, 'eval').map((e) => [e.param, e.message])).toEqual([
      ['split', 'The data has no test split, so there is nothing to evaluate on. Put a "Split train/validation/test" node before it (with a test share above 0), or choose another split.'],
    ]);
    expect(on(errors, 'q').map((e) => e.param)).toEqual(['split']);
    expect(checkGraph(g('test', 0.1), catalogue).errors).toEqual([]);
    expect(checkGraph(g('validation', 0), catalogue).errors).toEqual([]);
  });

  it('refuses pruning the attention heads of a GPT-2 model, also after training passed it along', () => {
    const g = (architecture: string) =>
      graphOf(
        [
          { id: 'tok', type: 'tokenizer', params: { kind: 'byte-level' } },
          { id: 'model', type: 'model', version: 2, params: { source: 'new', architecture } },
          { id: 'data', type: 'dataset.builtin', params: {} },
          { id: 'pre', type: 'train.pretrain', params: {} },
          { id: 'prune', type: 'prune', params: { method: 'attention-heads', sparsity: 0.25 } },
          { id: 'after', type: 'train.sft', params: { context: 0 } },
        ],
        [
          ['tok', 'tokenizer', 'model', 'tokenizer'],
          ['model', 'model', 'pre', 'model'],
          ['data', 'dataset', 'pre', 'dataset'],
          ['pre', 'model', 'prune', 'model'],
          ['data', 'dataset', 'prune', 'data'],
          ['prune', 'model', 'after', 'model'],
          ['data', 'dataset', 'after', 'dataset'],
        ],
      );
    const gpt2 = on(checkGraph(g('gpt2'), catalogue).errors, 'prune');
    expect(gpt2.map((e) => e.param)).toEqual(['method']);
    expect(gpt2[0]!.message).toMatch(/^Attention heads cannot be removed from a GPT-2 model.*Choose the method mlp-neurons/);
    expect(on(checkGraph(g('llama'), catalogue).errors, 'prune')).toEqual([]);
    // The pruned model's shape flows on: context checks downstream still see the model's 128 tokens.
    const longer = g('llama');
    longer.nodes.find((n) => n.id === 'after')!.params = { context: 256 };
    expect(on(checkGraph(longer, catalogue).errors, 'after').map((e) => e.message)).toEqual([
      "Context 256 is longer than the model's context of 128 tokens. Set Context to 128 or less (0 uses the model's).",
    ]);
  });

  it('reads the shape of a model folder from its config.json, and of a Hub model from the workspace cache', () => {
    const dir = tempDir();
    const folder = join(dir, 'tiny-llama');
    mkdirSync(folder);
    const config = { model_type: 'llama', vocab_size: 300, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 96 };
    writeFileSync(join(folder, 'config.json'), JSON.stringify(config));
    for (const f of ['model.safetensors', 'tokenizer.json']) writeFileSync(join(folder, f), '{}');
    const graph = (source: Record<string, unknown>) =>
      graphOf(
        [
          { id: 'model', type: 'model', version: 2, params: source },
          { id: 'data', type: 'dataset.synthetic', params: {} },
          { id: 'chat', type: 'data.chat', params: {} },
          { id: 'split', type: 'data.split', params: {} },
          { id: 'sft', type: 'train.sft', params: { context: 128 } },
        ],
        [['model', 'model', 'sft', 'model'], ['data', 'dataset', 'chat', 'dataset'], ['chat', 'dataset', 'split', 'dataset'], ['split', 'dataset', 'sft', 'dataset']],
      );
    const fromFolder = checkForRun(graph({ source: 'folder', folder: 'tiny-llama' }), catalogue, dir, [dir]);
    expect(fromFolder.ok).toBe(false);
    expect(!fromFolder.ok && fromFolder.errors.map((e) => [e.nodeId, e.param, e.message])).toEqual([
      ['sft', 'context', "Context 128 is longer than the model's context of 96 tokens. Set Context to 96 or less (0 uses the model's)."],
    ]);

    const workspace = tempDir();
    const commit = 'a'.repeat(40);
    const repo = join(workspace, 'models', 'hub', 'models--someone--tiny');
    mkdirSync(join(repo, 'refs'), { recursive: true });
    mkdirSync(join(repo, 'snapshots', commit), { recursive: true });
    writeFileSync(join(repo, 'refs', 'main'), commit);
    writeFileSync(join(repo, 'snapshots', commit, 'config.json'), JSON.stringify({ ...config, max_position_embeddings: 80 }));
    const hub = graph({ source: 'hub', hubModel: 'someone/tiny', revision: 'main' });
    expect(on(checkGraph(hub, catalogue, { workspace }).errors, 'sft').map((e) => e.message)).toEqual([
      "Context 128 is longer than the model's context of 80 tokens. Set Context to 80 or less (0 uses the model's).",
    ]);
    // Not downloaded yet: the shape is unknown, and nothing is claimed.
    expect(on(checkGraph(hub, catalogue, { workspace: tempDir() }).errors, 'sft')).toEqual([]);
  });
});
