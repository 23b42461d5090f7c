import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.ts';
import { tf, useBestBackend } from '../backend.ts';
import { MemoryTokens } from '../token-source.ts';
import type { GptConfig } from '../gpt/config.ts';
import { disposeParams, initParams } from '../gpt/model.ts';
import { DEFAULT_OPTIMIZER } from './optimizer.ts';
import { DEFAULT_SCHEDULE } from './schedule.ts';
import { trainLanguageModel, type LmTrainOptions } from './lm-trainer.ts';

const config: GptConfig = { vocabSize: 32, contextLength: 16, width: 32, layers: 2, heads: 2, dropout: 0.1, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 };
// A learnable stream: a repeating pattern with a little structure.
const stream = new Int32Array(4000).map((_, i) => (i % 7) * 3 + ((i >> 4) % 2));

function options(overrides: Partial<LmTrainOptions>, seed = 5): LmTrainOptions {
  return {
    config,
    params: initParams(config, seed),
    train: new MemoryTokens(stream),
    validation: new MemoryTokens(stream.slice(0, 600)),
    objective: 'causal',
    maskProbability: 0.15,
    batchSize: 4,
    context: 16,
    steps: 40,
    gradAccum: 1,
    evalEvery: 10,
    evalBatches: 2,
    checkpointEvery: 0,
    keepCheckpoints: 2,
    checkpointDir: tempDir(),
    optimizer: DEFAULT_OPTIMIZER,
    schedule: { ...DEFAULT_SCHEDULE, lr: 1e-2, warmupSteps: 5 },
    seed,
    progress: async () => undefined,
    log: () => undefined,
    ...overrides,
  };
}

describe('language-model training', () => {
  it('lowers the training and validation loss', async () => {
    await useBestBackend();
    const o = options({});
    const r = await trainLanguageModel(o);
    disposeParams(o.params);
    expect(r.history[0]!.loss).toBeGreaterThan(3); // about ln(32) at the start
    expect(r.finalLoss).toBeLessThan(r.history[0]!.loss * 0.6);
    const vals = r.history.filter((h) => h.valLoss !== undefined).map((h) => h.valLoss!);
    expect(vals.at(-1)!).toBeLessThan(vals[0]!);
  });

  it('trains the Llama family too (RoPE, RMSNorm, SwiGLU, grouped-query attention, q/k norms): the loss falls, no tensor leaks', async () => {
    await useBestBackend();
    const qwen3: GptConfig = { ...config, family: 'qwen3', heads: 4, kvHeads: 2, headDim: 8, intermediateSize: 48, rope: { theta: 10000 }, qkNorm: true, layerNormEps: 1e-6 };
    const counts: number[] = [];
    const o = { ...options({}), config: qwen3, params: initParams(qwen3, 5), progress: async () => void counts.push(tf.memory().numTensors) };
    const r = await trainLanguageModel(o);
    disposeParams(o.params);
    expect(r.finalLoss).toBeLessThan(r.history[0]!.loss * 0.6);
    expect(new Set(counts.slice(1)).size).toBe(1);
  });

  it('keeps the number of tensors flat across steps (no leaks), with accumulation and evaluation', async () => {
    await useBestBackend();
    const counts: number[] = [];
    const o = options({ steps: 12, gradAccum: 2, evalEvery: 3, progress: async () => void counts.push(tf.memory().numTensors) });
    await trainLanguageModel(o);
    disposeParams(o.params);
    expect(new Set(counts.slice(1)).size).toBe(1);
  });

  it('clears what a killed save left behind, and keeps best.json whole', async () => {
    await useBestBackend();
    const dir = tempDir();
    mkdirSync(join(dir, '.tmp-2147483646-1'));
    writeFileSync(join(dir, '.tmp-2147483646-1', 'tensors.safetensors'), 'half');
    const o = options({ steps: 6, checkpointEvery: 2, evalEvery: 2, checkpointDir: dir });
    await trainLanguageModel(o);
    disposeParams(o.params);
    expect(readdirSync(dir).filter((n) => n.startsWith('.tmp'))).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, 'best.json'), 'utf8'))).toMatchObject({ step: expect.any(Number) });
  });

  it('resumes after an interruption exactly as if never interrupted', async () => {
    await useBestBackend();
    const straight = options({ steps: 12, checkpointEvery: 4 });
    const full = await trainLanguageModel(straight);
    disposeParams(straight.params);

    const dir = tempDir();
    const abort = new AbortController();
    const first = options({ steps: 12, checkpointEvery: 4, checkpointDir: dir, signal: abort.signal, progress: async (step) => (step === 6 ? abort.abort() : undefined) });
    await expect(trainLanguageModel(first)).rejects.toThrow(/cancelled/);
    disposeParams(first.params);
    // A fresh process would start from a freshly initialised model; the checkpoint must win.
    const second = options({ steps: 12, checkpointEvery: 4, checkpointDir: dir }, 999);
    second.seed = 5;
    const resumed = await trainLanguageModel(second);
    disposeParams(second.params);
    expect(resumed.resumedFrom).toBe(4);
    // The record of a resumed run is the whole run's: every step, the same losses.
    expect(resumed.history.map((h) => h.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(resumed.history).toEqual(full.history);
    expect(resumed.finalLoss).toBe(full.finalLoss);

    // Resuming from the final checkpoint (the run had finished its steps): still the whole record.
    const again = options({ steps: 12, checkpointEvery: 4, checkpointDir: dir }, 999);
    again.seed = 5;
    const done = await trainLanguageModel(again);
    disposeParams(again.params);
    expect(done.resumedFrom).toBe(12);
    expect(done.finalLoss).toBe(full.finalLoss);
    expect(done.history).toEqual(full.history);
    expect(done.tokensPerSecond).toBeGreaterThan(0);
  });

  it('stops at once on a NaN loss, names the step, and saves no checkpoint from it', async () => {
    await useBestBackend();
    const dir = tempDir();
    const o = options({ steps: 50, checkpointEvery: 1, checkpointDir: dir, optimizer: { ...DEFAULT_OPTIMIZER, kind: 'sgd', clipNorm: 0, momentum: 0 }, schedule: { ...DEFAULT_SCHEDULE, kind: 'constant', lr: 1e6 } });
    const err = await trainLanguageModel(o).catch((e: Error) => e);
    disposeParams(o.params);
    expect(err).toBeInstanceOf(Error);
    const m = /the loss became (NaN|Infinity|-Infinity) at step (\d+)/.exec((err as Error).message);
    expect(m, (err as Error).message).not.toBeNull();
    const badStep = Number(m![2]);
    const saved = existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('step-')).map((n) => Number(n.slice(5))) : [];
    expect(saved.every((s) => s < badStep)).toBe(true);
  });

  it('trains a bidirectional encoder with the masked-LM objective', async () => {
    await useBestBackend();
    const encoder: GptConfig = { ...config, causal: false, maskTokenId: 31 };
    // Runs of one token: any visible neighbour reveals a masked one, so a bidirectional model learns fast.
    const runs = new Int32Array(4000).map((_, i) => (Math.floor(i / 32) * 7) % 30);
    const o = options({ config: encoder, params: initParams(encoder, 2), train: new MemoryTokens(runs), validation: new MemoryTokens(runs.slice(0, 600)), objective: 'masked', maskProbability: 0.25, steps: 60, batchSize: 8 });
    const r = await trainLanguageModel(o);
    disposeParams(o.params);
    expect(r.finalLoss).toBeLessThan(r.history[0]!.loss * 0.7);
  });
});
