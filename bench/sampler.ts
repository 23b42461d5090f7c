/**
 * Token sampling at a 50k vocabulary (GPT-2's 50,257): the sorting sampler Weft had against the
 * selection sampler (nodes/lib/gpt/sample-token.ts), first the sampler alone on fixed logits, then
 * whole generation (a tiny GPT with a KV cache, so the sampler's share shows) with each.
 *   npx tsx bench/sampler.ts
 * Figures only; nothing is asserted. Both draw the same tokens (sample-token.test.ts).
 */
import { tf, useBestBackend } from '../nodes/lib/backend.ts';
import type { GptConfig } from '../nodes/lib/gpt/config.ts';
import { disposeCache, disposeParams, hiddenStates, initParams, lmLogits, newCache, type Params } from '../nodes/lib/gpt/model.ts';
import { sampleToken, type TokenSampling } from '../nodes/lib/gpt/sample-token.ts';
import { Prng } from '../nodes/lib/prng.ts';
import { sortingSampler } from '../test/fixtures/sorting-sampler.ts';

type Sampler = (logits: Float32Array, o: TokenSampling, rng: Prng) => number;
const VOCAB = 50_257;
const SETTINGS: Array<[string, TokenSampling]> = [
  ['temperature 1 (RL)', { temperature: 1, topK: 0, topP: 1 }],
  ['top-p 0.95 (endpoint)', { temperature: 0.8, topK: 0, topP: 0.95 }],
  ['top-k 40, top-p 0.95', { temperature: 0.8, topK: 40, topP: 0.95 }],
];

/** Draws per second of a sampler on logits shaped like a trained model's (a few likely tokens, a long tail). */
function samplerOnly(sample: Sampler, o: TokenSampling, logits: Float32Array): number {
  const rng = new Prng(1);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < 1500) {
    sample(logits, o, rng);
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

/** Generation tokens/s with a sampler: one prompt token, then `tokens` new ones through the KV cache. */
async function generation(p: Params, c: GptConfig, sample: Sampler, o: TokenSampling, tokens: number): Promise<number> {
  const rng = new Prng(2);
  const cache = newCache();
  let input = [0];
  const start = performance.now();
  try {
    for (let t = 0; t < tokens; t++) {
      const logits = tf.tidy(() => lmLogits(p, c, hiddenStates(p, c, tf.tensor2d(input, [1, input.length], 'int32'), { training: false, cache })));
      const values = (await logits.data()) as Float32Array;
      logits.dispose();
      input = [sample(values, o, rng)];
    }
  } finally {
    disposeCache(cache);
  }
  return (tokens * 1000) / (performance.now() - start);
}

const backend = await useBestBackend();
const prng = new Prng(3);
const logits = Float32Array.from({ length: VOCAB }, () => prng.normal() * 2.5);
console.log(`sampler alone, vocabulary ${VOCAB} (draws/s):`);
for (const [name, o] of SETTINGS) {
  const before = samplerOnly(sortingSampler, o, logits);
  const after = samplerOnly(sampleToken, o, logits);
  console.log(`  ${name.padEnd(24)} sorting ${before.toFixed(0).padStart(7)}   selection ${after.toFixed(0).padStart(7)}   x${(after / before).toFixed(1)}`);
}
const config: GptConfig = { vocabSize: VOCAB, contextLength: 256, width: 64, layers: 2, heads: 2, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 };
const params = initParams(config, 1);
console.log(`generation, GPT-2 shape width 64, 2 layers, vocabulary ${VOCAB}, ${backend} backend (tokens/s):`);
try {
  await generation(params, config, sampleToken, SETTINGS[0]![1], 8); // warm-up
  for (const [name, o] of SETTINGS) {
    const before = await generation(params, config, sortingSampler, o, 100);
    const after = await generation(params, config, sampleToken, o, 100);
    console.log(`  ${name.padEnd(24)} sorting ${before.toFixed(1).padStart(7)}   selection ${after.toFixed(1).padStart(7)}   x${(after / before).toFixed(1)}`);
  }
} finally {
  disposeParams(params);
}
