/**
 * Bradley-Terry training on preference pairs, at the library level: a reward model learns to rank
 * held-out pairs, DPO raises held-out preference accuracy from chance, a resumed run is bit-identical
 * to an uninterrupted one, and the tensor count stays flat.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.ts';
import { maxDiffAll } from '../../../test/support/compare.ts';
import { tf, useBestBackend } from '../backend.ts';
import type { GptConfig } from '../gpt/config.ts';
import { addClassifierHead, disposeParams, initParams, type Params } from '../gpt/model.ts';
import { byteLevelBpeJson, EOS, TextTokenizer, writeTokenizer } from '../tokenizer.ts';
import { DEFAULT_OPTIMIZER } from '../train/optimizer.ts';
import { DEFAULT_SCHEDULE } from '../train/schedule.ts';
import { attachReference, dpoRewards, rewardModelRewards } from './objectives.ts';
import { encodePairs, type EncodedPair } from './pair-encoding.ts';
import { evaluatePairs, trainPairs, type PairRewards, type PairTrainOptions } from './pair-trainer.ts';
import { syntheticPreferences } from './synthetic-preferences.ts';

const base: GptConfig = { vocabSize: 257, contextLength: 48, width: 32, layers: 2, heads: 2, dropout: 0.1, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 };

async function sentimentPairs(count: number): Promise<{ train: EncodedPair[]; validation: EncodedPair[]; padId: number }> {
  const dir = tempDir();
  writeTokenizer(join(dir, 'tokenizer.json'), byteLevelBpeJson([], [EOS]));
  const tok = TextTokenizer.fromFile(join(dir, 'tokenizer.json'));
  const records = [...syntheticPreferences({ task: 'sentiment', count, digits: 2, wordsPerSide: 6, seed: 3 })];
  const { pairs } = await encodePairs(tok, records, { template: '', endOfText: '' }, 48);
  return { train: pairs.slice(0, count - 64), validation: pairs.slice(count - 64), padId: tok.specials[EOS]! };
}

function options(params: Params, config: GptConfig, train: EncodedPair[], validation: EncodedPair[], rewards: PairRewards, overrides: Partial<PairTrainOptions> = {}): PairTrainOptions {
  return {
    config, params, train, validation, rewards, batchSize: 8, steps: 60, evalEvery: 30, checkpointEvery: 0, keepCheckpoints: 2, checkpointDir: tempDir(),
    optimizer: DEFAULT_OPTIMIZER, schedule: { ...DEFAULT_SCHEDULE, lr: 3e-3, warmupSteps: 5 }, seed: 11,
    progress: async () => undefined, log: () => undefined, ...overrides,
  };
}

describe('preference training', () => {
  it('a reward model ranks held-out pairs well above chance (Bradley-Terry), with the tensor count flat', async () => {
    await useBestBackend();
    const { train, validation, padId } = await sentimentPairs(300);
    const config = { ...base, numClasses: 1 };
    const params = initParams(base, 5);
    addClassifierHead(params, config, 1, 6);
    const rewards = rewardModelRewards(params, config, padId);
    const before = await evaluatePairs(validation, rewards);
    const counts: number[] = [];
    const r = await trainPairs(options(params, config, train, validation, rewards, { steps: 60, evalEvery: 30, schedule: { ...DEFAULT_SCHEDULE, lr: 5e-3, warmupSteps: 5 }, progress: async () => void counts.push(tf.memory().numTensors) }));
    disposeParams(params);
    expect(before.accuracy).toBeLessThan(0.7);
    // 0.7 of 64 held-out pairs: chance gets there less than once in a thousand.
    expect(r.validation!.accuracy).toBeGreaterThan(0.7);
    expect(r.validation!.chosenMean).toBeGreaterThan(r.validation!.rejectedMean);
    expect(new Set(counts).size).toBe(1);
  }, 240_000);

  it('DPO raises held-out preference accuracy from 0.5, with the tensor count flat', async () => {
    await useBestBackend();
    const { train, validation, padId } = await sentimentPairs(300);
    const params = initParams(base, 5);
    await attachReference(params, base, train, padId, 8);
    await attachReference(params, base, validation, padId, 8);
    const rewards = dpoRewards(params, base, padId, 0.1);
    const before = await evaluatePairs(validation, rewards, 8);
    const counts: number[] = [];
    const r = await trainPairs(options(params, base, train, validation, rewards, { steps: 40, evalEvery: 20, evalBatchSize: 8, progress: async () => void counts.push(tf.memory().numTensors) }));
    disposeParams(params);
    // The untrained policy is the reference: every implicit reward is exactly zero, every pair a tie.
    expect(before.accuracy).toBe(0.5);
    expect(before.margin).toBe(0);
    expect(r.validation!.accuracy).toBeGreaterThan(0.75);
    expect(r.validation!.margin).toBeGreaterThan(0);
    expect(new Set(counts.slice(1)).size).toBe(1);
  }, 240_000);

  it('with gradient accumulation 2 at batch 4 trains a reward model as batch 8 does, its reported statistics the mean of both halves', async () => {
    await useBestBackend();
    const { train, validation, padId } = await sentimentPairs(96);
    const noDropout = { ...base, dropout: 0 };
    const config = { ...noDropout, numClasses: 1 };
    const run = async (batchSize: number, gradAccum: number) => {
      const params = initParams(noDropout, 5);
      addClassifierHead(params, config, 1, 6);
      const metrics: Record<string, number>[] = [];
      const tensors: number[] = [];
      const r = await trainPairs(
        options(params, config, train, validation, rewardModelRewards(params, config, padId), {
          batchSize, gradAccum, steps: 5, evalEvery: 5, progress: async (_s, _t, m) => void (metrics.push(m), tensors.push(tf.memory().numTensors)),
        }),
      );
      const weights = await Promise.all([...params.values()].map(async (v) => Array.from(await v.data())));
      disposeParams(params);
      return { r, metrics, weights, tensors };
    };
    const whole = await run(8, 1);
    const accumulated = await run(4, 2);
    for (let i = 0; i < 5; i++) {
      for (const k of ['loss', 'rewardMargin', 'preferenceAccuracy', 'chosenReward', 'rejectedReward']) expect(accumulated.metrics[i]![k]).toBeCloseTo(whole.metrics[i]![k]!, 4);
    }
    expect(maxDiffAll(accumulated.weights, whole.weights)).toBeLessThan(1e-4);
    expect(accumulated.r.validation!.accuracy).toBeCloseTo(whole.r.validation!.accuracy, 6);
    expect(new Set(accumulated.tensors).size).toBe(1);
  }, 240_000);

  it('resumes from a checkpoint bit-identically (weights, losses, evaluation)', async () => {
    await useBestBackend();
    const { train, validation, padId } = await sentimentPairs(96);
    const run = async (checkpointDir: string, stopAt?: number) => {
      const params = initParams(base, 5);
      await attachReference(params, base, train, padId, 8);
      await attachReference(params, base, validation, padId, 8);
      const o = options(params, base, train, validation, dpoRewards(params, base, padId, 0.1), {
        steps: 10, evalEvery: 5, checkpointEvery: 3, checkpointDir,
        progress: async (step) => {
          if (step === stopAt) throw new Error('interrupted');
        },
      });
      try {
        const r = await trainPairs(o);
        const weights = await Promise.all([...params.values()].map(async (v) => Array.from(await v.data())));
        return { r, weights };
      } finally {
        disposeParams(params);
      }
    };
    const whole = await run(tempDir());
    const dir = tempDir();
    await expect(run(dir, 6)).rejects.toThrow('interrupted');
    const resumed = await run(dir);
    expect(resumed.r.resumedFrom).toBe(6);
    expect(resumed.r.history).toEqual(whole.r.history);
    expect(resumed.r.validation!.accuracy).toBe(whole.r.validation!.accuracy);
    expect(resumed.weights).toEqual(whole.weights);
  }, 240_000);
});
