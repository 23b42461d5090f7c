import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeContext, paramsFor, runNode } from '../../test/fixtures/node-harness.ts';
import { tempDir } from '../../test/helpers.ts';
import { tf } from '../lib/backend.ts';
import { inspectModelFolder } from '../lib/gpt/io.ts';
import { openModelInput } from '../lib/model-input.ts';
import { TRAINING_TEXT, trainTinyModel } from '../lib/gguf/test-support.ts';
import type { MetricsHandle, ModelHandle, TextHandle } from '../sdk/index.ts';
import generateNode from '../generate/index.ts';
import quantize from './index.ts';
import { PlaygroundSession } from '../lib/playground/session.ts';

const dir = tempDir('weft-quantize-');
const modelDir = join(dir, 'model');
let model: ModelHandle;
let text: TextHandle;

beforeAll(async () => {
  await trainTinyModel(modelDir, 'llama');
  const config = inspectModelFolder(modelDir);
  model = { kind: 'model', dir: modelDir, parameters: 0, config };
  const path = join(dir, 'eval.txt');
  writeFileSync(path, TRAINING_TEXT.repeat(8));
  text = { kind: 'text', path, chars: TRAINING_TEXT.length * 8 };
}, 600_000);

async function quantizeWith(type: 'Q8_0' | 'Q4_0' | 'Q4_K', withText: boolean) {
  const ctx = fakeContext();
  const steps: number[] = [];
  ctx.progress = async (p) => void steps.push(p.step);
  const result = await runNode(quantize, { model, ...(withText ? { text } : {}) }, paramsFor(quantize, { type, batchSize: 4 }), ctx);
  const metrics = (result.outputs.metrics as MetricsHandle).values;
  console.log(`${type}: ${JSON.stringify(metrics)}`);
  return { ctx, steps, out: result.outputs.model as ModelHandle, metrics };
}

describe('Quantize', () => {
  it('Q8_0: about 3.8x smaller, perplexity within 1%, a folder Generate runs, no tensor leak', async () => {
    const before = tf.memory().numTensors;
    const { ctx, steps, out, metrics } = await quantizeWith('Q8_0', true);
    expect(tf.memory().numTensors).toBe(before);
    expect(steps.length).toBeGreaterThan(3);
    expect(out.quantization).toBe('Q8_0');
    expect(existsSync(join(out.dir, 'model.gguf'))).toBe(true);
    expect(existsSync(join(out.dir, 'model.safetensors'))).toBe(false);
    expect(metrics.compression).toBeGreaterThan(3.4);
    expect(metrics.compression).toBeLessThan(4);
    expect(metrics.perplexityBefore).toBeLessThan(20); // it learned the text (a byte vocabulary's chance is 288)
    expect(Math.abs(metrics.perplexityChange!)).toBeLessThan(0.01);
    expect(ctx.logs.some((l) => /perplexity on .*eval\.txt: .* before, .* after/.test(l))).toBe(true);
    const samples = JSON.parse(readFileSync(join(ctx.artifactDir, 'samples.json'), 'utf8')) as Array<{ before: string; after: string }>;
    expect(samples.length).toBe(3);

    // Every Model consumer loads it through openModelInput, dequantizing.
    const opened = await openModelInput(out);
    expect(opened.quantization).toBe('Q8_0');
    opened.dispose();
    const gen = fakeContext();
    const g = await runNode(generateNode, { model: out }, paramsFor(generateNode, { prompt: 'Call me', maxTokens: 12, samples: 1, temperature: 0 }), gen);
    const sample = readFileSync((g.outputs.text as TextHandle).path, 'utf8');
    expect(sample.startsWith('Call me')).toBe(true);
    expect(sample.length).toBeGreaterThan('Call me'.length);
    // The playground (and endpoints, through the same loader) runs it too.
    const session = new PlaygroundSession();
    const deltas: string[] = [];
    const stats = await session.generate({ modelDir: out.dir, mode: 'complete', prompt: 'Call me', settings: { maxTokens: 8, temperature: 0, topK: 0, topP: 1, seed: 1 } }, (d) => deltas.push(d), new AbortController().signal);
    session.dispose();
    expect(stats.tokens).toBeGreaterThan(0);
    expect(sample.startsWith('Call me' + deltas.join(''))).toBe(true); // both greedy on the same weights
  }, 600_000);

  it('Q4_0: about 6x smaller, perplexity change reported', async () => {
    const { metrics } = await quantizeWith('Q4_0', true);
    expect(metrics.compression).toBeGreaterThan(5.5);
    expect(Number.isFinite(metrics.perplexityAfter)).toBe(true);
    expect(metrics.perplexityChange!).toBeLessThan(0.5);
  }, 600_000);

  // This model is 64 wide: no row is a whole 256-value super-block, so every matrix falls back to
  // Q5_0 as llama-quantize does (q4k.test.ts exports a 256-wide model whose matrices are Q4_K).
  it('Q4_K: rows that are not whole super-blocks fall back to Q5_0, the output stays Q8_0, perplexity change reported', async () => {
    const { ctx, out, metrics } = await quantizeWith('Q4_K', true);
    const written = JSON.parse(readFileSync(join(ctx.artifactDir, 'quantization.json'), 'utf8')) as { typeCounts: Record<string, number> };
    expect(written.typeCounts.Q4_K ?? 0).toBe(0);
    expect(written.typeCounts.Q5_0).toBe(2 * 7 + 1); // seven matrices a layer and the token embedding
    expect(written.typeCounts.Q8_0).toBe(1);
    expect(metrics.quantizedTensors).toBe(2 * 7 + 1 + 1);
    expect(metrics.compression).toBeGreaterThan(4.5);
    expect(metrics.perplexityChange!).toBeLessThan(0.2);
    const opened = await openModelInput(out);
    expect(opened.quantization).toBe('Q4_K');
    opened.dispose();
  }, 600_000);

  it('says so when there is no data to measure perplexity on', async () => {
    const { ctx, metrics } = await quantizeWith('Q8_0', false);
    expect(metrics.perplexityBefore).toBeUndefined();
    expect(ctx.logs.some((l) => l.startsWith('warn: no dataset or text connected'))).toBe(true);
  }, 600_000);

  it('refuses a dataset and a text at once, at validation', () => {
    expect(quantize.validate!(paramsFor(quantize) as never, ['model', 'dataset', 'text'])).toEqual([{ port: 'text', message: expect.stringMatching(/either a dataset or a text/) }]);
  });

  it('stops when cancelled', async () => {
    const ctx = fakeContext();
    const abort = new AbortController();
    ctx.signal = abort.signal;
    ctx.progress = async () => {
      abort.abort();
      abort.signal.throwIfAborted();
    };
    await expect(runNode(quantize, { model }, paramsFor(quantize), ctx)).rejects.toThrow(/abort/i);
    expect(existsSync(join(ctx.artifactDir, 'model.gguf'))).toBe(false);
  }, 600_000);
});
