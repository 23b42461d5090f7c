import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tf } from '../lib/backend.ts';
import { fakeContext, paramsFor, runNode } from '../../test/fixtures/node-harness.ts';
import { digitsText, textFile, trainedTinyModel, wordsText } from '../../test/fixtures/tiny-lm.ts';
import trainContinue from './index.ts';
import { DatasetWriter } from '../lib/dataset.ts';
import { tempDir } from '../../test/helpers.ts';

describe('train.continue', () => {
  it('replay of the old data forgets measurably less than no replay (same seed and steps), both learn the new data, no tensor leaks', async () => {
    // Old distribution: lowercase words; new: runs of digits. Nothing in the new data keeps the words alive.
    const model = await trainedTinyModel('gpt2', wordsText(4000), 100);
    const oldText = textFile(wordsText(6000, 7));
    const newText = textFile(digitsText(6000));
    const runWith = async (replayShare: number) => {
      const counts: number[] = [];
      const ctx = fakeContext(() => void counts.push(tf.memory().numTensors));
      const params = paramsFor(trainContinue, { replayShare, steps: 60, batchSize: 4, evalEvery: 30, evalWindows: 8, checkpointEvery: 0 });
      expect(trainContinue.validate!(params as never, ['model', 'newText', 'oldText'])).toEqual([]);
      const r = await runNode(trainContinue, { model, newText, oldText }, params, ctx);
      return { r, counts, ctx };
    };
    const none = await runWith(0);
    const replay = await runWith(0.5);
    const a = none.r.metrics!;
    const b = replay.r.metrics!;
    // The same model before: the same "before" figures.
    expect(b.oldLossBefore).toBe(a.oldLossBefore);
    expect(b.newLossBefore).toBe(a.newLossBefore);
    // Both learn the digits.
    expect(a.gain).toBeGreaterThan(0.5);
    expect(b.gain).toBeGreaterThan(0.5);
    // Without replay the words are forgotten; with replay much less so.
    expect(a.forgetting).toBeGreaterThan(0.3);
    expect(b.forgetting).toBeLessThan(a.forgetting! * 0.5);
    console.log(`forgetting (old-set loss increase, nats/token): replay 0 ${a.forgetting!.toFixed(3)}, replay 0.5 ${b.forgetting!.toFixed(3)}; gain ${a.gain!.toFixed(3)} vs ${b.gain!.toFixed(3)}`);
    for (const { counts } of [none, replay]) expect(new Set(counts.slice(1)).size).toBe(1);
    // The history table has both held-out curves; the model folder is complete.
    const history = readFileSync(join(replay.ctx.artifactDir, 'history.csv'), 'utf8').trim().split('\n');
    expect(history[0]).toBe('step,loss,newLoss,oldLoss');
    expect(history).toHaveLength(61);
    expect(history[30]!.split(',').every((v) => v !== '')).toBe(true);
    expect(existsSync(join(replay.ctx.artifactDir, 'model.safetensors'))).toBe(true);
  }, 300_000);

  it('a run resumed from its checkpoint ends bit-identical to an uninterrupted one (replay rows drawn from the checkpointed RNG)', async () => {
    const model = await trainedTinyModel('qwen3', wordsText(4000), 30);
    const oldText = textFile(wordsText(4000, 7));
    const newText = textFile(digitsText(4000));
    const params = paramsFor(trainContinue, { replayShare: 0.3, steps: 16, batchSize: 4, evalEvery: 8, evalWindows: 4, checkpointEvery: 8 });
    const whole = await runNode(trainContinue, { model, newText, oldText }, params, fakeContext());
    // Interrupt a second run after its first checkpoint, then resume it in the same checkpoint folder.
    const ctx = fakeContext();
    const abort = new AbortController();
    const interrupted = { ...ctx, signal: abort.signal, progress: async (p: { step: number }) => void (p.step === 9 && abort.abort()) };
    await expect(runNode(trainContinue, { model, newText, oldText }, params, interrupted)).rejects.toThrow();
    expect(readdirSync(ctx.checkpointDir)).toContain('step-00000008');
    const resumed = await runNode(trainContinue, { model, newText, oldText }, params, { ...ctx, signal: new AbortController().signal });
    for (const k of ['oldLossAfter', 'newLossAfter', 'finalLoss']) expect(resumed.metrics![k], k).toBe(whole.metrics![k]);
  }, 300_000);

  it('takes Datasets too: learns from the train splits, measures on the validation splits', async () => {
    const model = await trainedTinyModel('mistral', wordsText(3000), 10);
    const dataset = async (text: string) => {
      const writer = new DatasetWriter(tempDir());
      const lines = text.match(/.{1,200}/g)!;
      for (const [i, line] of lines.entries()) await writer.write(i % 5 === 0 ? 'validation' : 'train', { text: line });
      return writer.close();
    };
    const ctx = fakeContext();
    const params = paramsFor(trainContinue, { replayShare: 0.25, steps: 6, batchSize: 4, evalEvery: 3, evalWindows: 4, checkpointEvery: 0 });
    expect(trainContinue.validate!(params as never, ['model', 'newData', 'oldData'])).toEqual([]);
    const r = await runNode(trainContinue, { model, newData: await dataset(digitsText(4000)), oldData: await dataset(wordsText(4000, 7)) }, params, ctx);
    expect(ctx.logs.join('\n')).toContain('windows of the validation split of the new data');
    expect(ctx.logs.join('\n')).toContain('windows of the validation split of the old data');
    expect(r.metrics!.gain).toBeGreaterThan(0);
    expect((r.outputs.model as { config: { family: string } }).config.family).toBe('mistral');
  }, 120_000);

  it('refuses, before the run, missing or doubled data inputs', () => {
    const p = paramsFor(trainContinue) as never;
    expect(trainContinue.validate!(p, ['model', 'newText']).map((x) => x.port)).toEqual(['oldData']);
    expect(trainContinue.validate!(p, ['model', 'newData', 'newText', 'oldText']).map((x) => x.port)).toEqual(['newText']);
  });
});
