/**
 * The reward of a reward model: an ordinary model folder whose config has numClasses = 1
 * (transformers: `*ForSequenceClassification`, num_labels 1). The reward of a text (prompt and
 * response rendered as the policy sees them) is the single logit of the classifier path at the last
 * token that is not padding, exactly as transformers picks it (the last position whose id differs
 * from pad_token_id), so the same folder scores the same in transformers.
 *
 * Use: `chatFormatOf(dir, tok)` and `rewardPadId(config, tok)` once; per text, `renderResponse` (the
 * prompt, text or messages, and the response as the policy sees them), tokenize prompt and response
 * apart and join them with `joinWithin` (pair-encoding.ts); then `rewardScores` inside a tidy
 * (training) or `rewardsOf` (numbers back, in batches).
 */
import { tf } from '../backend.ts';
import type { GptConfig } from '../gpt/config.ts';
import { classifierLogits, hiddenStates, type Params } from '../gpt/model.ts';
import { EOS, type TextTokenizer } from '../tokenizer.ts';

/** The padding id a reward model pads (and transformers looks past) with: the config's, else end-of-text, else 0. */
export function rewardPadId(config: GptConfig, tok: Pick<TextTokenizer, 'specials'>): number {
  return config.padTokenId ?? tok.specials[EOS] ?? config.eosTokenId ?? 0;
}

/** Index of the last id that is not `padId` (0 when all are), as transformers' sequence classifiers find it. */
export function lastNonPad(ids: ArrayLike<number>, padId: number): number {
  for (let t = ids.length - 1; t >= 0; t--) if (ids[t] !== padId) return t;
  return 0;
}

/** Right-padded [n, T] ids and each row's last non-pad index. */
export function packRows(seqs: readonly ArrayLike<number>[], padId: number): { x: Int32Array; last: Int32Array; T: number } {
  const T = Math.max(1, ...seqs.map((s) => s.length));
  const x = new Int32Array(seqs.length * T).fill(padId);
  const last = new Int32Array(seqs.length);
  seqs.forEach((s, b) => {
    x.set(s, b * T);
    last[b] = lastNonPad(s, padId);
  });
  return { x, last, T };
}

/** Rewards [n] of the sequences (a tensor, for use inside tidy or a gradient). */
export function rewardScores(params: Params, config: GptConfig, seqs: readonly ArrayLike<number>[], padId: number, training = false, dropoutSeed = 0): tf.Tensor1D {
  if (config.numClasses !== 1) throw new Error(`a reward model has one output (numClasses 1); this model has ${config.numClasses}`);
  const { x, last, T } = packRows(seqs, padId);
  const hidden = hiddenStates(params, config, tf.tensor2d(x, [seqs.length, T], 'int32'), { training, dropoutSeed });
  return tf.reshape(classifierLogits(params, config, hidden, last), [seqs.length]) as tf.Tensor1D;
}

/** Rewards of many sequences as numbers, `batchSize` at a time. */
export async function rewardsOf(params: Params, config: GptConfig, seqs: readonly ArrayLike<number>[], padId: number, batchSize = 16): Promise<Float32Array> {
  const out = new Float32Array(seqs.length);
  for (let i = 0; i < seqs.length; i += batchSize) {
    const t = tf.tidy(() => rewardScores(params, config, seqs.slice(i, i + batchSize), padId));
    out.set((await t.data()) as Float32Array, i);
    t.dispose();
  }
  return out;
}
