/**
 * Trainers have a learning rate of their own: with no schedule node connected it sets the rate the
 * loop uses (and so how fast the loss falls); a connected schedule overrides it.
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../nodes/lib/backend.ts';
import { DatasetWriter } from '../nodes/lib/dataset.ts';
import { DEFAULT_SCHEDULE } from '../nodes/lib/train/schedule.ts';
import type { Progress, SchedulerHandle } from '../nodes/sdk/index.ts';
import trainContinue from '../nodes/train.continue/index.ts';
import trainPretrain from '../nodes/train.pretrain/index.ts';
import { fakeContext, paramsFor, runNode } from './fixtures/node-harness.ts';
import { digitsText, textFile, trainedTinyModel, wordsText } from './fixtures/tiny-lm.ts';
import { tempDir } from './helpers.ts';

/** Runs a node, collecting the learning rate of every step and the live tensor count. */
async function traced(run: (ctx: ReturnType<typeof fakeContext>) => Promise<{ metrics?: Record<string, number> }>) {
  const lrs: number[] = [];
  const tensors: number[] = [];
  const ctx = fakeContext((p: Progress) => {
    if (p.metrics?.lr !== undefined) lrs.push(p.metrics.lr);
    tensors.push(tf.memory().numTensors);
  });
  try {
    const result = await run(ctx);
    return { lrs, tensors, metrics: result.metrics! };
  } finally {
    ctx.cleanup();
  }
}

describe("trainers' own learning rate", () => {
  it('Pretrain: the learning rate setting is the peak of its default schedule, and a higher one lowers the loss faster', async () => {
    const fresh = await trainedTinyModel('gpt2', wordsText(200), 1);
    const writer = new DatasetWriter(tempDir());
    const lines = wordsText(12_000).match(/.{1,120}/g)!;
    for (const [i, line] of lines.entries()) await writer.write(i % 10 === 0 ? 'validation' : 'train', { text: line });
    const dataset = await writer.close();
    const train = (learningRate: number) =>
      traced((ctx) => runNode(trainPretrain, { model: fresh, dataset }, paramsFor(trainPretrain, { learningRate, steps: 60, batchSize: 4, context: 32, evalEvery: 60, evalBatches: 2, checkpointEvery: 0 }), ctx));
    const slow = await train(1e-5);
    const fast = await train(1e-2);
    // Warm-up over 50 steps to the setting, then cosine decay.
    expect(Math.max(...fast.lrs)).toBeCloseTo(1e-2, 8);
    expect(Math.max(...slow.lrs)).toBeCloseTo(1e-5, 11);
    // The setting takes effect where a user sees it: the loss.
    expect(fast.metrics.valLoss).toBeLessThan(slow.metrics.valLoss! - 0.5);
    console.log(`pretrain, 60 steps: validation loss ${slow.metrics.valLoss!.toFixed(3)} at learning rate 1e-5, ${fast.metrics.valLoss!.toFixed(3)} at 1e-2`);
    for (const t of [slow, fast]) expect(new Set(t.tensors.slice(1)).size).toBe(1);
  }, 300_000);

  it('Continue training: its own rate without a schedule node; a connected schedule overrides it', async () => {
    const model = await trainedTinyModel('llama', wordsText(3000), 20);
    const newText = textFile(digitsText(4000));
    const oldText = textFile(wordsText(4000, 7));
    const run = (learningRate: number, scheduler?: SchedulerHandle) =>
      traced((ctx) =>
        runNode(trainContinue, { model, newText, oldText, ...(scheduler ? { scheduler } : {}) }, paramsFor(trainContinue, { learningRate, replayShare: 0, steps: 30, batchSize: 4, evalEvery: 30, evalWindows: 4, checkpointEvery: 0 }), ctx),
      );
    const own = await run(4e-3);
    // Constant after 10 warm-up steps, at the setting.
    expect(own.lrs.slice(10).every((lr) => lr === 4e-3)).toBe(true);
    const scheduled = await run(4e-3, { kind: 'scheduler', settings: { ...DEFAULT_SCHEDULE, kind: 'constant', lr: 1e-4 } });
    expect(new Set(scheduled.lrs)).toEqual(new Set([1e-4]));
    // Learning the digits: the model's own higher rate gains more than the schedule's tiny one.
    expect(own.metrics.gain).toBeGreaterThan(scheduled.metrics.gain! + 0.3);
    console.log(`continue training, 30 steps: gain on the new data ${own.metrics.gain!.toFixed(3)} at its own 4e-3, ${scheduled.metrics.gain!.toFixed(3)} with a schedule node at 1e-4`);
  }, 300_000);
});
