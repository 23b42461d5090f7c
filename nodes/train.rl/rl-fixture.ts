/**
 * For the tests: a tiny model briefly fine-tuned on copying three-letter words ("abc=" -> "abc"), held
 * out prompts it has not seen, saved as an ordinary model folder. Trained just enough to answer some
 * prompts right, so reinforcement learning has something to raise.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { useBestBackend } from '../lib/backend.ts';
import { DatasetWriter, type DatasetHandle } from '../lib/dataset.ts';
import type { GptConfig } from '../lib/gpt/config.ts';
import { saveModelFolder } from '../lib/gpt/io.ts';
import { disposeParams, initParams } from '../lib/gpt/model.ts';
import { Prng } from '../lib/prng.ts';
import { responseStream } from '../lib/sft-stream.ts';
import { MemoryTokens } from '../lib/token-source.ts';
import { byteLevelBpeJson, EOS, TextTokenizer, writeTokenizer } from '../lib/tokenizer.ts';
import { DEFAULT_OPTIMIZER } from '../lib/train/optimizer.ts';
import { trainLanguageModel } from '../lib/train/lm-trainer.ts';
import type { ModelHandle } from '../sdk/index.ts';

export const TINY: GptConfig = { vocabSize: 257, contextLength: 16, width: 48, layers: 2, heads: 2, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1, eosTokenId: 256 };

/** Every three-letter word over a-f, copied ("abc=" -> "abc") or reversed ("abc=" -> "cba"); `validation` of them held out. */
export async function wordDataset(dir: string, task: 'copy' | 'reverse', validation = 40): Promise<DatasetHandle> {
  mkdirSync(dir, { recursive: true });
  const letters = 'abcdef';
  const words: string[] = [];
  for (const a of letters) for (const b of letters) for (const c of letters) words.push(a + b + c);
  new Prng(3).shuffle(words);
  const w = new DatasetWriter(dir);
  for (const [i, word] of words.entries()) {
    const answer = task === 'copy' ? word : [...word].reverse().join('');
    await w.write(i < validation ? 'validation' : 'train', { prompt: `${word}=`, response: `${answer}${EOS}`, answer });
  }
  return w.close();
}

export function tokenizerFile(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'tokenizer.json');
  writeTokenizer(path, byteLevelBpeJson([], [EOS]));
  return path;
}

/** A model folder fine-tuned for `steps` on the train split (loss on the answers only). */
export async function fineTunedModel(dir: string, dataset: DatasetHandle, steps: number, config: GptConfig = TINY, seed = 11): Promise<ModelHandle> {
  await useBestBackend();
  const tokPath = tokenizerFile(join(dir, 'tok'));
  const tok = TextTokenizer.fromFile(tokPath);
  const train = (await responseStream(tok, dataset, 'train'))!;
  const params = initParams(config, seed);
  try {
    await trainLanguageModel({
      config, params, train: new MemoryTokens(train.ids, train.weights), objective: 'causal', maskProbability: 0, batchSize: 16, context: config.contextLength,
      steps, gradAccum: 1, evalEvery: steps, evalBatches: 1, checkpointEvery: 0, keepCheckpoints: 1, checkpointDir: join(dir, 'ckpt'),
      optimizer: DEFAULT_OPTIMIZER, schedule: { kind: 'cosine', lr: 3e-3, warmupSteps: 10, minLrRatio: 0.1, stepSize: 1000, gamma: 0.5 }, seed,
      progress: async () => undefined, log: () => undefined,
    });
    const out = join(dir, 'model');
    mkdirSync(out, { recursive: true });
    return await saveModelFolder(out, params, config, tokPath);
  } finally {
    disposeParams(params);
  }
}
