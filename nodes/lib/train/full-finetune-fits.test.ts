import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.ts';
import { tf, useBestBackend } from '../backend.ts';
import { trainingBytes, type GptConfig } from '../gpt/config.ts';
import { disposeParams, initParams } from '../gpt/model.ts';
import { MemoryTokens } from '../token-source.ts';
import { assertFitsBackend, heapExtraBytes, WASM_BUDGET_BYTES } from './memory-check.ts';
import { trainLanguageModel } from './lm-trainer.ts';
import { DEFAULT_OPTIMIZER } from './optimizer.ts';
import { DEFAULT_SCHEDULE } from './schedule.ts';

/** HuggingFaceTB/SmolLM2-135M's config.json in Weft's terms (random weights: nothing can be downloaded here). */
const SMOLLM2_135M: GptConfig = {
  family: 'llama', vocabSize: 49152, contextLength: 8192, width: 576, layers: 30, heads: 9, kvHeads: 3, headDim: 64, intermediateSize: 1536,
  rope: { theta: 100000 }, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1,
};

/** Reads the configuration a refusal suggests, so the test trains exactly what the user is told to use. */
function suggested(message: string, context: number): { batch: number; gradAccum: number; context: number } {
  const accum = /Use batch size (\d+) with gradient accumulation (\d+)/.exec(message);
  if (accum) return { batch: Number(accum[1]), gradAccum: Number(accum[2]), context };
  const shorter = /use batch size 1 with context (\d+)/.exec(message);
  if (shorter) return { batch: 1, gradAccum: 1, context: Number(shorter[1]) };
  throw new Error(`the refusal suggests no configuration: ${message}`);
}

describe('full fine-tuning of a SmolLM2-135M-shaped model on wasm', () => {
  it('is refused at batch 2 x 128, and the configuration the refusal suggests really trains within the heap (estimate within 25%)', async () => {
    const backend = await useBestBackend();
    expect(backend).toBe('wasm');
    let refusal = '';
    try {
      assertFitsBackend(backend, SMOLLM2_135M, 2, 128, 1);
    } catch (e) {
      refusal = (e as Error).message;
    }
    expect(refusal).toMatch(/training needs about \d+\.\d GiB at batch size 2, context 128, more than the wasm backend's 4 GiB heap allows/);
    const fit = suggested(refusal, 128);
    expect(() => assertFitsBackend(backend, SMOLLM2_135M, fit.batch, fit.context, fit.gradAccum)).not.toThrow();

    const params = initParams(SMOLLM2_135M, 1);
    const probe = 'h.29.mlp.down.weight';
    const before = params.get(probe)!.dataSync().slice(0, 64);
    const stream = new Int32Array(20_000).map((_, i) => (i * 7919) % SMOLLM2_135M.vocabSize);
    const losses: number[] = [];
    const info = await tf.profile(async () => {
      await trainLanguageModel({
        config: SMOLLM2_135M, params, train: new MemoryTokens(stream), objective: 'causal', maskProbability: 0,
        batchSize: fit.batch, context: fit.context, steps: 1, gradAccum: fit.gradAccum,
        evalEvery: 1_000_000, evalBatches: 1, checkpointEvery: 0, keepCheckpoints: 1, checkpointDir: tempDir(),
        optimizer: DEFAULT_OPTIMIZER, schedule: DEFAULT_SCHEDULE, seed: 1,
        progress: async (_step, _total, metrics) => {
          if (typeof metrics.loss === 'number') losses.push(metrics.loss);
        },
        log: () => undefined,
      });
      return [];
    });
    const after = params.get(probe)!.dataSync().slice(0, 64);
    disposeParams(params);
    // Every weight trains (full fine-tuning) and the step stays under the heap the check plans with.
    expect(losses.length).toBeGreaterThan(0);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(after.some((v, i) => v !== before[i])).toBe(true);
    expect(info.peakBytes + heapExtraBytes(backend, SMOLLM2_135M)).toBeLessThan(WASM_BUDGET_BYTES);
    const estimate = trainingBytes(SMOLLM2_135M, fit.batch, fit.context, undefined, fit.gradAccum);
    expect(estimate / info.peakBytes).toBeGreaterThan(0.75);
    expect(estimate / info.peakBytes).toBeLessThan(1.25);
  }, 600_000);
});
