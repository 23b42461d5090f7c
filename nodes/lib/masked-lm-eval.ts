/**
 * How well a masked-LM encoder fills in masked tokens: consecutive context windows of a token
 * source, a fixed, seeded 15% of each window's tokens replaced by the mask token (so every model is
 * judged on the same positions), then the loss, perplexity and top-1 accuracy at those positions.
 * Only the masked rows go through the vocabulary-sized head.
 */
import { tf } from './backend.ts';
import type { GptConfig } from './gpt/config.ts';
import { crossEntropy, hiddenStates, lmLogits, type Params } from './gpt/model.ts';
import { Prng } from './prng.ts';
import type { TokenSource } from './token-source.ts';

export const EVAL_MASK_PROBABILITY = 0.15;
const MASK_SEED = 12345;

export interface MaskedLmScore {
  loss: number;
  perplexity: number;
  accuracy: number;
  maskedTokens: number;
}

export async function maskedLmScore(
  params: Params,
  config: GptConfig,
  tokens: TokenSource,
  maxTokens: number,
  batchSize: number,
  onBatch: (done: number, total: number, loss: number, accuracy: number) => Promise<void>,
  what = 'the evaluation text',
  signal?: AbortSignal,
): Promise<MaskedLmScore> {
  if (config.maskTokenId < 0) throw new Error('this encoder has no mask token; its tokenizer needs one (e.g. "<mask>" among the special tokens)');
  const T = config.contextLength;
  const windows = Math.floor(Math.min(tokens.length, maxTokens) / T);
  if (windows < 1) throw new Error(`${what} has ${tokens.length} tokens, fewer than one context of ${T}`);
  const rng = new Prng(MASK_SEED);
  let lossSum = 0;
  let right = 0;
  let count = 0;
  for (let w = 0; w < windows; w += batchSize) {
    if (signal?.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
    const B = Math.min(batchSize, windows - w);
    const x = new Int32Array(B * T);
    const at: number[] = [];
    const labels: number[] = [];
    for (let b = 0; b < B; b++) {
      const win = tokens.read((w + b) * T, T);
      x.set(win, b * T);
      const before = at.length;
      for (let t = 0; t < T; t++) if (rng.next() < EVAL_MASK_PROBABILITY) at.push(b * T + t);
      // Every window is judged on at least one token.
      if (at.length === before) at.push(b * T + rng.int(T));
      for (let i = before; i < at.length; i++) {
        labels.push(x[at[i]!]!);
        x[at[i]!] = config.maskTokenId;
      }
    }
    const [loss, hits] = tf.tidy(() => {
      const hidden = hiddenStates(params, config, tf.tensor2d(x, [B, T], 'int32'), { training: false });
      const logits = lmLogits(params, config, tf.gather(hidden, tf.tensor1d(at, 'int32')) as tf.Tensor2D);
      const y = tf.tensor1d(labels, 'int32');
      return [crossEntropy(logits, y, tf.ones([labels.length])), tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32'))];
    });
    lossSum += (await loss.data())[0]! * labels.length;
    right += (await hits.data())[0]!;
    loss.dispose();
    hits.dispose();
    count += labels.length;
    await onBatch(Math.min(w + B, windows), windows, lossSum / count, right / count);
  }
  return { loss: lossSum / count, perplexity: Math.exp(lossSum / count), accuracy: right / count, maskedTokens: count };
}
