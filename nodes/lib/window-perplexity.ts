/** Perplexity of a model over consecutive context windows of a token source (Evaluate; Quantize before and after). */
import { tf } from './backend.ts';
import type { GptConfig } from './gpt/config.ts';
import { crossEntropy, hiddenStates, lmLogits, type Params } from './gpt/model.ts';
import type { TokenSource } from './token-source.ts';

export async function windowPerplexity(
  params: Params,
  config: GptConfig,
  tokens: TokenSource,
  maxTokens: number,
  batchSize: number,
  onBatch: (done: number, total: number, loss: number) => Promise<void>,
  /** How the text is named in errors (e.g. "the validation split"). */
  what = 'the evaluation text',
): Promise<{ loss: number; perplexity: number; tokens: number }> {
  const T = config.contextLength;
  const windows = Math.floor((Math.min(tokens.length, maxTokens) - 1) / T);
  if (windows < 1) throw new Error(`${what} has ${tokens.length} tokens, fewer than one context of ${T + 1}`);
  let sum = 0;
  let count = 0;
  for (let w = 0; w < windows; w += batchSize) {
    const B = Math.min(batchSize, windows - w);
    const x = new Int32Array(B * T);
    const y = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      const win = tokens.read((w + b) * T, T + 1);
      x.set(win.subarray(0, T), b * T);
      y.set(win.subarray(1, T + 1), b * T);
    }
    const loss = tf.tidy(() => crossEntropy(lmLogits(params, config, hiddenStates(params, config, tf.tensor2d(x, [B, T], 'int32'), { training: false })), tf.tensor1d(y, 'int32'), tf.ones([B * T])));
    sum += (await loss.data())[0]! * B * T;
    loss.dispose();
    count += B * T;
    await onBatch(Math.min(w + B, windows), windows, sum / count);
  }
  return { loss: sum / count, perplexity: Math.exp(sum / count), tokens: count };
}
