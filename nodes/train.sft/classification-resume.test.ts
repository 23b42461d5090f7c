/**
 * Classification fine-tuning killed mid-way and run again on the same checkpoint folder (as a
 * resumed run does): the history table holds every step, equal to an uninterrupted run's, and the
 * final figures are the same (issue 10: the classifier's resume lost its metric history).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetWriter } from '../lib/dataset.ts';
import type { DatasetHandle, MetricsHandle, ModelHandle } from '../sdk/index.ts';
import { inspectModelFolder } from '../lib/gpt/io.ts';
import { fakeContext, paramsFor, runNode } from '../../test/fixtures/node-harness.ts';
import { tinyModelFolder } from '../../test/fixtures/tiny-model.ts';
import { tempDir } from '../../test/helpers.ts';
import trainSft from './index.ts';

async function labelledDataset(): Promise<DatasetHandle> {
  const writer = new DatasetWriter(tempDir('weft-sft-data-'));
  for (let i = 0; i < 48; i++) {
    const spam = i % 2 === 0;
    await writer.write(i < 40 ? 'train' : 'validation', { text: spam ? `WIN cash now ${i}!!!` : `see you at lunch ${i}`, label: spam ? 'spam' : 'ham' });
  }
  return writer.close();
}

const params = (steps: number) => paramsFor(trainSft, { mode: 'classification', steps, batchSize: 4, context: 24, evalEvery: 4, checkpointEvery: 4, method: 'full' });

describe('train.sft classification: resume', () => {
  it('keeps the whole metric history and the same final figures after an interruption', async () => {
    const dir = await tinyModelFolder(3);
    const model: ModelHandle = { kind: 'model', dir, parameters: 0, config: inspectModelFolder(dir) };
    const dataset = await labelledDataset();
    const history = (ctx: ReturnType<typeof fakeContext>, r: Awaited<ReturnType<typeof runNode>>) => {
      const file = (r.outputs.metrics as MetricsHandle).tables!.history!;
      expect(file.startsWith(ctx.artifactDir)).toBe(true);
      return readFileSync(file, 'utf8');
    };

    const straight = fakeContext();
    const full = await runNode(trainSft, { model, dataset }, params(12), straight);
    const fullHistory = history(straight, full);
    expect(fullHistory.trim().split('\n')).toHaveLength(13);

    // Killed after step 6 (the last checkpoint is step 4), then run again on the same checkpoints.
    const abort = new AbortController();
    const first = fakeContext((p) => (p.step >= 6 ? abort.abort() : undefined));
    await expect(runNode(trainSft, { model, dataset }, params(12), { ...first, signal: abort.signal })).rejects.toThrow(/cancel/i);
    const again = fakeContext();
    const resumed = await runNode(trainSft, { model, dataset }, params(12), { ...again, checkpointDir: first.checkpointDir });
    expect(resumed.metrics?.resumedFromStep).toBe(4);
    expect(history(again, resumed)).toBe(fullHistory);
    expect(resumed.metrics?.finalLoss).toBe(full.metrics?.finalLoss);
    expect(resumed.metrics?.valAccuracy).toBe(full.metrics?.valAccuracy);
    expect(resumed.metrics?.initialLoss).toBe(full.metrics?.initialLoss);
    for (const c of [straight, first, again]) c.cleanup();
  }, 180_000);
});
