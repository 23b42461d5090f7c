/** Masked-LM loss, perplexity and accuracy of an encoder on a split (a fixed, seeded 15% of tokens masked). */
import type { NodeContext } from '../sdk/index.ts';
import type { DatasetHandle, SplitName } from '../lib/dataset.ts';
import type { GptConfig } from '../lib/gpt/config.ts';
import type { Params } from '../lib/gpt/model.ts';
import { maskedLmScore } from '../lib/masked-lm-eval.ts';
import { tokenStream } from '../lib/token-stream.ts';
import type { TextTokenizer } from '../lib/tokenizer.ts';

export async function maskedLm(params: Params, config: GptConfig, tok: TextTokenizer, dataset: DatasetHandle, split: SplitName, maxTokens: number, batchSize: number, ctx: NodeContext): Promise<Record<string, number>> {
  const stream = await tokenStream(tok, dataset, split, ctx.checkpointDir);
  if (!stream) throw new Error(`the dataset has no ${split} split; add a Split node`);
  try {
    const score = await maskedLmScore(params, config, stream, maxTokens, batchSize, (step, total, loss, accuracy) => ctx.progress({ step, total, metrics: { loss, accuracy } }), `the ${split} split`, ctx.signal);
    return { ...score };
  } finally {
    stream.close();
  }
}
