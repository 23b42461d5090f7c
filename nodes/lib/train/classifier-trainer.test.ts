import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.ts';
import { maxDiffAll } from '../../../test/support/compare.ts';
import { tf, useBestBackend } from '../backend.ts';
import type { GptConfig } from '../gpt/config.ts';
import { addClassifierHead, disposeParams, initParams } from '../gpt/model.ts';
import { DEFAULT_OPTIMIZER } from './optimizer.ts';
import { DEFAULT_SCHEDULE } from './schedule.ts';
import { trainClassifier, type ClassifierTrainOptions, type LabelledSequences } from './classifier-trainer.ts';

const base: GptConfig = { vocabSize: 16, contextLength: 8, width: 32, layers: 1, heads: 2, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 };
const config: GptConfig = { ...base, numClasses: 2 };

/** Sequences whose label is whether token 3 occurs: learnable by a one-layer model in a few steps. */
function sequences(n: number, offset: number): LabelledSequences {
  const ids: Int32Array[] = [];
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i + offset;
    const seq = Int32Array.from({ length: 6 }, (_, j) => 4 + ((k * 7 + j * 5) % 11));
    if (k % 2 === 0) seq[(k >> 1) % 6] = 3;
    ids.push(seq);
    labels[i] = k % 2 === 0 ? 1 : 0;
  }
  return { ids, labels };
}

function options(overrides: Partial<ClassifierTrainOptions>, initSeed = 5): ClassifierTrainOptions {
  const params = initParams(base, initSeed);
  addClassifierHead(params, base, 2, initSeed);
  return {
    config,
    params,
    classes: ['no', 'yes'],
    train: sequences(64, 0),
    validation: sequences(16, 1000),
    padId: 0,
    batchSize: 8,
    steps: 12,
    evalEvery: 4,
    checkpointEvery: 4,
    keepCheckpoints: 2,
    checkpointDir: tempDir(),
    optimizer: DEFAULT_OPTIMIZER,
    schedule: { ...DEFAULT_SCHEDULE, lr: 1e-2, warmupSteps: 2 },
    seed: 5,
    progress: async () => undefined,
    log: () => undefined,
    ...overrides,
  };
}

describe('classification fine-tuning', () => {
  it('with gradient accumulation 2 at batch 4 trains as batch 8 does (the same examples, the mean gradient), with the tensor count flat', async () => {
    await useBestBackend();
    const run = async (batchSize: number, gradAccum: number) => {
      const losses: number[] = [];
      const tensors: number[] = [];
      const o = options({ batchSize, gradAccum, steps: 6, checkpointEvery: 0, progress: async (_s, _t, m) => void (losses.push(m.loss!), tensors.push(tf.memory().numTensors)) });
      await trainClassifier(o);
      const weights = await Promise.all([...o.params.values()].map(async (v) => Array.from(await v.data())));
      disposeParams(o.params);
      return { losses, weights, tensors };
    };
    const whole = await run(8, 1);
    const accumulated = await run(4, 2);
    const half = await run(4, 1);
    // Batch 8 draws 8 examples in order; two micro-batches of 4 draw the same 8, and average the same gradient.
    for (let i = 0; i < 6; i++) expect(accumulated.losses[i]).toBeCloseTo(whole.losses[i]!, 5);
    expect(maxDiffAll(accumulated.weights, whole.weights)).toBeLessThan(1e-4);
    // It is not batch 4 alone: that run learns from different steps.
    expect(maxDiffAll(half.weights, whole.weights)).toBeGreaterThan(1e-3);
    expect(new Set(accumulated.tensors).size).toBe(1);
  }, 120_000);

  it('resumes with its whole metric history: the record after a kill equals an uninterrupted run', async () => {
    await useBestBackend();
    const straight = options({});
    const tensorsBefore = tf.memory().numTensors;
    const full = await trainClassifier(straight);
    disposeParams(straight.params);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(tensorsBefore - straight.params.size + 1);
    expect(full.history.map((h) => h.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(full.history.filter((h) => h.valAccuracy !== undefined).map((h) => h.step)).toEqual([4, 8, 12]);

    const dir = tempDir();
    const abort = new AbortController();
    const first = options({ checkpointDir: dir, signal: abort.signal, progress: async (step) => (step === 6 ? abort.abort() : undefined) });
    await expect(trainClassifier(first)).rejects.toThrow(/cancelled/);
    disposeParams(first.params);
    // A new process starts from another initialisation: the checkpoint (step 4) must win.
    const resumed = await trainClassifier(options({ checkpointDir: dir }, 999));
    expect(resumed.resumedFrom).toBe(4);
    expect(resumed.history).toEqual(full.history);
    expect(resumed.finalLoss).toBe(full.finalLoss);
    expect(resumed.validation).toEqual(full.validation);

    // Resumed from the final checkpoint: nothing left to train, and still the whole record and report.
    const done = await trainClassifier(options({ checkpointDir: dir }, 999));
    expect(done.resumedFrom).toBe(12);
    expect(done.history).toEqual(full.history);
    expect(done.finalLoss).toBe(full.finalLoss);
    expect(done.validation).toEqual(full.validation);
  }, 120_000);
});
