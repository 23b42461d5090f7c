/**
 * Masked-LM training of the BERT encoder beside the encoder Weft wrote before it (pre-LN GPT-2 body,
 * "weft-encoder") and a GPT-2 decoder of the same size (causal objective), on the same token
 * stream: tokens per second and the mean loss of the last steps. Prints one line per model.
 *   npx tsx bench/encoder-throughput.ts [--steps 60] [--width 128] [--layers 4] [--batch 8] [--context 128]
 */
import { parseArgs } from 'node:util';
import { useBestBackend } from '../nodes/lib/backend.ts';
import type { GptConfig } from '../nodes/lib/gpt/config.ts';
import { disposeParams, initParams } from '../nodes/lib/gpt/model.ts';
import { Prng } from '../nodes/lib/prng.ts';
import { MemoryTokens } from '../nodes/lib/token-source.ts';
import { trainLanguageModel } from '../nodes/lib/train/lm-trainer.ts';
import { DEFAULT_OPTIMIZER } from '../nodes/lib/train/optimizer.ts';
import { DEFAULT_SCHEDULE } from '../nodes/lib/train/schedule.ts';
import { tempDir } from '../test/helpers.ts';

const { values: a } = parseArgs({ options: { steps: { type: 'string', default: '60' }, width: { type: 'string', default: '128' }, layers: { type: 'string', default: '4' }, batch: { type: 'string', default: '8' }, context: { type: 'string', default: '128' } } });
const [steps, width, layers, batch, context] = [a.steps, a.width, a.layers, a.batch, a.context].map(Number) as [number, number, number, number, number];
const backend = await useBestBackend();
const rng = new Prng(3);
// Runs of one letter: a masked letter is given away by its neighbours.
const stream = Int32Array.from(Buffer.from(Array.from({ length: 4000 }, () => 'abcdefgh'[rng.int(8)]!.repeat(4 + rng.int(12))).join(' ')));
const base: GptConfig = { vocabSize: 259, contextLength: context, width, layers, heads: 4, dropout: 0.1, causal: false, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: 257, intermediateSize: 4 * width };
const models: Array<[string, GptConfig]> = [
  ['bert (masked LM)', { ...base, family: 'bert', activation: 'gelu', typeVocabSize: 2, layerNormEps: 1e-12 }],
  ['weft-encoder, pre-LN (masked LM)', base],
  ['gpt2 decoder (causal LM)', { ...base, causal: true, maskTokenId: -1 }],
];
console.log(`backend ${backend}; width ${width}, ${layers} layers, batch ${batch} x ${context}, ${steps} steps`);
for (const [name, config] of models) {
  const params = initParams(config, 1);
  const r = await trainLanguageModel({
    config, params, train: new MemoryTokens(stream), objective: config.causal ? 'causal' : 'masked', maskProbability: 0.15, batchSize: batch, context, steps, gradAccum: 1,
    evalEvery: 1_000_000, evalBatches: 1, checkpointEvery: 0, keepCheckpoints: 1, checkpointDir: tempDir(), optimizer: DEFAULT_OPTIMIZER, schedule: DEFAULT_SCHEDULE, seed: 1,
    progress: async () => undefined, log: () => undefined,
  });
  disposeParams(params);
  const last = r.history.slice(-10);
  console.log(`${name.padEnd(34)} ${r.tokensPerSecond.toFixed(0).padStart(7)} tokens/s, loss of the last 10 steps ${(last.reduce((s, h) => s + h.loss, 0) / last.length).toFixed(3)}`);
}
