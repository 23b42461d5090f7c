/**
 * Fine-tuning a model of SmolLM2-135M's real shape (random weights: no download here) on the wasm
 * backend: LoRA tokens/s and measured peak memory beside the estimate, and what full fine-tuning
 * would need (refused before the run, with a configuration that fits).
 * `npx tsx bench/smollm-lora.ts [steps] [batch] [context]`
 */
import { tf, useBestBackend } from '../nodes/lib/backend.ts';
import { parameterCount, trainingBytes, type GptConfig } from '../nodes/lib/gpt/config.ts';
import { addLora } from '../nodes/lib/gpt/lora.ts';
import { disposeParams, initParams } from '../nodes/lib/gpt/model.ts';
import { MemoryTokens } from '../nodes/lib/token-source.ts';
import { trainLanguageModel } from '../nodes/lib/train/lm-trainer.ts';
import { assertFitsBackend } from '../nodes/lib/train/memory-check.ts';
import { DEFAULT_OPTIMIZER } from '../nodes/lib/train/optimizer.ts';
import { DEFAULT_SCHEDULE } from '../nodes/lib/train/schedule.ts';
import { tempDir } from '../test/helpers.ts';

/** HuggingFaceTB/SmolLM2-135M-Instruct's config.json, in Weft's terms. */
const SMOLLM2_135M: GptConfig = {
  family: 'llama', vocabSize: 49152, contextLength: 8192, width: 576, layers: 30, heads: 9, kvHeads: 3, headDim: 64, intermediateSize: 1536,
  rope: { theta: 100000 }, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1,
};
const [steps = 4, batch = 2, context = 128] = process.argv.slice(2).map(Number);
const GIB = 2 ** 30;

const backend = await useBestBackend();
console.log(`SmolLM2-135M shape: ${parameterCount(SMOLLM2_135M).toLocaleString('en-US')} parameters, backend ${backend}`);
for (const [b, t] of [[batch, context], [8, 256]] as const) {
  try {
    assertFitsBackend(backend, SMOLLM2_135M, b, t, 1);
    console.log(`full fine-tuning at batch ${b} x ${t}: fits (estimate ${(trainingBytes(SMOLLM2_135M, b, t) / GIB).toFixed(2)} GiB)`);
  } catch (e) {
    console.log(`full fine-tuning at batch ${b} x ${t}: refused before the run: ${(e as Error).message}`);
  }
}
try {
  assertFitsBackend(backend, SMOLLM2_135M, batch, context, 1, { rank: 8, targets: 2 });
} catch (e) {
  console.log(`LoRA at batch ${batch} x ${context}: refused before the run: ${(e as Error).message}`);
  process.exit(0);
}
const started = performance.now();
const params = initParams(SMOLLM2_135M, 1);
console.log(`initialised in ${((performance.now() - started) / 1000).toFixed(1)} s`);
const names = addLora(params, SMOLLM2_135M, { rank: 8, alpha: 16, targets: ['attn.q', 'attn.v'] }, 2);
const stream = new Int32Array(50_000).map((_, i) => (i * 7919) % SMOLLM2_135M.vocabSize);
const times: number[] = [];
let last = performance.now();
const info = await tf.profile(async () => {
  await trainLanguageModel({
    config: SMOLLM2_135M, params, train: new MemoryTokens(stream), objective: 'causal', maskProbability: 0, batchSize: batch, context, steps, gradAccum: 1,
    evalEvery: 1_000_000, evalBatches: 1, checkpointEvery: 0, keepCheckpoints: 1, checkpointDir: tempDir(), optimizer: DEFAULT_OPTIMIZER, schedule: DEFAULT_SCHEDULE, seed: 1,
    trainable: (n) => names.includes(n),
    progress: async () => {
      const now = performance.now();
      times.push(now - last);
      last = now;
    },
    log: () => undefined,
  });
  return [];
});
disposeParams(params);
const steady = times.slice(1);
const perStep = steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length) / 1000;
const estimate = trainingBytes(SMOLLM2_135M, batch, context, { rank: 8, targets: 2 });
console.log(`LoRA (rank 8, q and v) at batch ${batch} x ${context}: ${perStep.toFixed(2)} s/step after the first, ${((batch * context) / perStep).toFixed(0)} tokens/s`);
console.log(`peak tensor memory ${(info.peakBytes / GIB).toFixed(2)} GiB measured, ${(estimate / GIB).toFixed(2)} GiB estimated (ratio ${(estimate / info.peakBytes).toFixed(2)}); process RSS ${(process.memoryUsage().rss / GIB).toFixed(2)} GiB`);
