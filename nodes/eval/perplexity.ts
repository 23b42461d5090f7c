/** Loss and perplexity over consecutive context windows of a split, beside the unigram baseline. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeContext } from '../sdk/index.ts';
import { generate } from '../lib/gpt/generate.ts';
import type { TokenSource } from '../lib/token-source.ts';
import type { DatasetHandle, SplitName } from '../lib/dataset.ts';
import type { GptConfig } from '../lib/gpt/config.ts';
import type { Params } from '../lib/gpt/model.ts';
import { windowPerplexity } from '../lib/window-perplexity.ts';
import { tokenStream, unigramCrossEntropy } from '../lib/token-stream.ts';
import type { TextTokenizer } from '../lib/tokenizer.ts';

export async function perplexity(params: Params, config: GptConfig, tok: TextTokenizer, dataset: DatasetHandle, split: SplitName, maxTokens: number, batchSize: number, ctx: NodeContext): Promise<Record<string, number>> {
  const stream = await tokenStream(tok, dataset, split, ctx.checkpointDir);
  if (!stream) throw new Error(`the dataset has no ${split} split; add a Split node`);
  const { loss, tokens: count } = await windowPerplexity(params, config, stream, maxTokens, batchSize, (step, total, loss) => ctx.progress({ step, total, metrics: { loss } }), `the ${split} split`);
  const values: Record<string, number> = { loss, perplexity: Math.exp(loss), tokens: count };
  const train = await tokenStream(tok, dataset, 'train', ctx.checkpointDir);
  if (train) {
    values.unigramBaseline = unigramCrossEntropy(train, stream, config.vocabSize, count + 1);
    train.close();
  }
  await writeSampleTable(params, config, tok, stream, ctx);
  stream.close();
  return values;
}

/** A small table of what the model writes after the opening of a few held-out passages. */
async function writeSampleTable(params: Params, config: GptConfig, tok: TextTokenizer, stream: TokenSource, ctx: NodeContext): Promise<void> {
  const promptTokens = Math.min(24, Math.floor(config.contextLength / 2));
  const rows: Array<{ prompt: string; continuation: string }> = [];
  for (let k = 0; k < 3; k++) {
    const offset = Math.floor((k * Math.max(0, stream.length - promptTokens)) / 3);
    const prompt = Array.from(stream.read(offset, promptTokens));
    const ids = await generate(params, config, prompt, { maxTokens: Math.min(40, config.contextLength - promptTokens - 1), temperature: 0.8, topK: 40, topP: 0.95, seed: ctx.seed + k });
    rows.push({ prompt: await tok.decode(prompt), continuation: await tok.decode(ids) });
  }
  writeFileSync(join(ctx.artifactDir, 'samples.json'), JSON.stringify(rows, null, 2));
}
