/**
 * Memory of reinforcement learning with LoRA: the frozen reference as a full copy of the weights
 * (as train.rl had it) against the policy's own base weights with the adapters off (as it has it
 * now), on a Llama-shaped model. Prints tfjs's measured peak (tf.profile's peakBytes) and the bytes
 * held between steps for each, next to the estimate the run checks before it starts.
 *   npx tsx bench/rl-memory.ts
 * Figures only; nothing is asserted (train-rl-families.test.ts checks no copy is held).
 */
import { join } from 'node:path';
import { tf, useBestBackend } from '../nodes/lib/backend.ts';
import { trainingBytes, type GptConfig } from '../nodes/lib/gpt/config.ts';
import { addLora } from '../nodes/lib/gpt/lora.ts';
import { disposeParams, initParams, type Params } from '../nodes/lib/gpt/model.ts';
import { baseWeightsOf, referenceBytes } from '../nodes/lib/rl/reference.ts';
import { trainRl } from '../nodes/lib/rl/trainer.ts';
import { byteLevelBpeJson, EOS, TextTokenizer, writeTokenizer } from '../nodes/lib/tokenizer.ts';
import { DEFAULT_OPTIMIZER } from '../nodes/lib/train/optimizer.ts';
import { DEFAULT_SCHEDULE } from '../nodes/lib/train/schedule.ts';
import { tempDir } from '../test/helpers.ts';

const config: GptConfig = {
  family: 'llama', vocabSize: 257, contextLength: 64, width: 384, layers: 6, heads: 6, kvHeads: 2, headDim: 64, intermediateSize: 1024, rope: { theta: 10000 },
  dropout: 0, causal: true, tiedEmbeddings: false, layerNormEps: 1e-6, numClasses: 0, maskTokenId: -1, eosTokenId: 256,
};
const lora = { rank: 8, alpha: 16, targets: ['attn.q', 'attn.v'] };
const MiB = (b: number) => `${(b / 2 ** 20).toFixed(1).padStart(6)} MiB`;

async function measure(copy: boolean): Promise<{ peak: number; held: number }> {
  const params = initParams(config, 1);
  let reference: Params;
  if (copy) {
    reference = initParams(config, 1);
    for (const v of reference.values()) v.trainable = false;
  } else reference = baseWeightsOf(params);
  const adapters = addLora(params, config, lora, 2);
  const tokPath = join(tempDir(), 'tokenizer.json');
  writeTokenizer(tokPath, byteLevelBpeJson([], [EOS]));
  const tok = TextTokenizer.fromFile(tokPath);
  const prompts = await Promise.all(['abc=', 'def=', 'fed=', 'cab='].map(async (text) => ({ text, ids: await tok.encode(text), record: {} })));
  let held = 0;
  const before = tf.memory().numBytes;
  const info = await tf.profile(async () => {
    await trainRl({
      algorithm: 'grpo', config, params, tok, prompts, heldOut: prompts.slice(0, 2), reward: async (s) => s.map((x) => x.response.length), reference,
      promptsPerStep: 4, groupSize: 8, maxNewTokens: 16, temperature: 1, beta: 0.04, clipEpsilon: 0.2, updatesPerBatch: 1, scaleRewards: true, valueCoef: 0.1, valueClip: 0.2,
      gamma: 1, lambda: 0.95, stopTokens: [256], padId: 256, samplesEvery: 0, evalTemperature: 0, evalSamples: 1, steps: 2, evalEvery: 0, checkpointEvery: 0, keepCheckpoints: 1,
      checkpointDir: tempDir(), optimizer: DEFAULT_OPTIMIZER, schedule: { ...DEFAULT_SCHEDULE, kind: 'constant', lr: 1e-4, warmupSteps: 0 }, seed: 1,
      trainable: (n) => adapters.includes(n), progress: async () => void (held = Math.max(held, tf.memory().numBytes - before)), log: () => undefined,
    });
    return [];
  });
  disposeParams(params);
  if (copy) disposeParams(reference);
  // Held: beyond what was allocated before the loop (the policy, adapters, and a copy if any), plus those.
  return { peak: info.peakBytes + before, held: held + before };
}

await useBestBackend();
console.log(`GRPO with LoRA (rank ${lora.rank} on ${lora.targets.join(', ')}), Llama shape width ${config.width}, ${config.layers} layers, 4 prompts x 8 responses of up to 16 tokens`);
for (const copy of [true, false]) {
  const { peak, held } = await measure(copy);
  console.log(`  reference ${copy ? 'a full copy         ' : 'base weights, no copy'}: peak ${MiB(peak)}, held between steps ${MiB(held)}`);
}
// What train.rl checks before it starts (nodes/lib/rl/reference.ts): training with LoRA, plus the reference (nothing now).
const estimate = trainingBytes(config, 4 * 8, 4 + 16, { rank: lora.rank, targets: lora.targets.length });
console.log(`  estimate: ${MiB(estimate + referenceBytes(config, 'lora'))} with LoRA (a copy would add ${MiB(referenceBytes(config, 'full'))})`);
