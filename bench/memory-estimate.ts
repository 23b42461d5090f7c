/**
 * The training memory estimate against the measured peak: tfjs's own count of tensor bytes
 * (tf.profile's peakBytes) over two training steps, for several model sizes and both families.
 * `npx tsx bench/memory-estimate.ts`
 */
import { tf, useBestBackend } from '../nodes/lib/backend.ts';
import { trainingBytes, type GptConfig } from '../nodes/lib/gpt/config.ts';
import { addLora } from '../nodes/lib/gpt/lora.ts';
import { disposeParams, initParams } from '../nodes/lib/gpt/model.ts';
import { MemoryTokens } from '../nodes/lib/token-source.ts';
import { trainLanguageModel } from '../nodes/lib/train/lm-trainer.ts';
import { DEFAULT_OPTIMIZER } from '../nodes/lib/train/optimizer.ts';
import { DEFAULT_SCHEDULE } from '../nodes/lib/train/schedule.ts';
import { tempDir } from '../test/helpers.ts';

const base: GptConfig = { vocabSize: 512, contextLength: 128, width: 128, layers: 4, heads: 4, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 };
const llama = (c: GptConfig): GptConfig => ({ ...c, family: 'llama', kvHeads: c.heads / 2, headDim: c.width / c.heads, intermediateSize: Math.ceil((8 * c.width) / 3 / 16) * 16, rope: { theta: 10000 }, layerNormEps: 1e-6 });
export const CASES: Array<{ name: string; config: GptConfig; batch: number; context: number; lora?: boolean }> = [
  { name: 'gpt2 d128 L4', config: base, batch: 8, context: 128 },
  { name: 'gpt2 d256 L6', config: { ...base, width: 256, layers: 6, vocabSize: 2048 }, batch: 8, context: 128 },
  { name: 'llama d256 L6', config: llama({ ...base, width: 256, layers: 6, heads: 8, vocabSize: 2048 }), batch: 8, context: 128 },
  { name: 'llama d384 L8 LoRA', config: llama({ ...base, width: 384, layers: 8, heads: 6, vocabSize: 4096, contextLength: 256 }), batch: 4, context: 256, lora: true },
];

export async function measure(c: (typeof CASES)[number]): Promise<{ measured: number; estimated: number }> {
  await useBestBackend();
  const params = initParams(c.config, 1);
  const names = c.lora ? addLora(params, c.config, { rank: 8, alpha: 16, targets: ['attn.q', 'attn.v'] }, 2) : null;
  const stream = new Int32Array(20_000).map((_, i) => (i * 7919) % c.config.vocabSize);
  const info = await tf.profile(async () => {
    await trainLanguageModel({
      config: c.config, params, train: new MemoryTokens(stream), objective: 'causal', maskProbability: 0, batchSize: c.batch, context: c.context, steps: 2, gradAccum: 1,
      evalEvery: 1000, evalBatches: 1, checkpointEvery: 0, keepCheckpoints: 1, checkpointDir: tempDir(), optimizer: DEFAULT_OPTIMIZER, schedule: DEFAULT_SCHEDULE, seed: 1,
      trainable: names ? (n) => names.includes(n) : undefined, progress: async () => undefined, log: () => undefined,
    });
    return [];
  });
  disposeParams(params);
  return { measured: info.peakBytes, estimated: trainingBytes(c.config, c.batch, c.context, c.lora ? { rank: 8, targets: 2 } : undefined) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const c of CASES) {
    const { measured, estimated } = await measure(c);
    console.log(`${c.name.padEnd(20)} batch ${c.batch} x ${c.context}: measured peak ${(measured / 2 ** 20).toFixed(1)} MiB, estimate ${(estimated / 2 ** 20).toFixed(1)} MiB, ratio ${(estimated / measured).toFixed(2)}`);
  }
}
