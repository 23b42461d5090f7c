/**
 * Per-token log-probabilities (and entropies) of the tokens a batch of rollouts holds, under a set of
 * weights: the policy being trained, the policy as it sampled (old), or the frozen reference. The
 * logits are divided by the sampling temperature first, as the tokens were drawn from them (TRL does
 * the same). Dropout stays off: with it, the ratio to the sampling policy and the KL would be noise.
 */
import { tf } from '../backend.ts';
import type { GptConfig } from '../gpt/config.ts';
import { hiddenStates, lmLogits, type Params } from '../gpt/model.ts';
import type { PackedBatch } from './batch.ts';

export interface TokenScores {
  /** [rows, length] log-probability of each position's target. */
  logProbs: tf.Tensor2D;
  /** [rows, length] entropy of each position's distribution. */
  entropy: tf.Tensor2D;
  /** [rows * length, width] the final hidden states (for a value head). */
  hidden: tf.Tensor2D;
}

/** To be called inside tf.tidy (or variableGrads): it returns tensors and frees nothing. */
export function tokenScores(p: Params, c: GptConfig, batch: PackedBatch, temperature: number): TokenScores {
  const { rows, length } = batch;
  const hidden = hiddenStates(p, c, tf.tensor2d(batch.ids, [rows, length], 'int32'), { training: false });
  let logits = lmLogits(p, c, hidden);
  if (temperature > 0 && temperature !== 1) logits = tf.div(logits, temperature);
  const logSoftmax = tf.sub(logits, tf.logSumExp(logits, 1, true));
  const oneHot = tf.cast(tf.oneHot(tf.tensor1d(batch.targets, 'int32'), logits.shape[1]), 'float32');
  const picked = tf.sum(tf.mul(oneHot, logSoftmax), 1);
  const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logSoftmax), logSoftmax), 1));
  return { logProbs: tf.reshape(picked, [rows, length]) as tf.Tensor2D, entropy: tf.reshape(entropy, [rows, length]) as tf.Tensor2D, hidden };
}

/** Log-probabilities read back as numbers (no gradient): for the old policy and the reference. */
export async function logProbsOf(p: Params, c: GptConfig, batch: PackedBatch, temperature: number): Promise<Float32Array> {
  const t = tf.tidy(() => tokenScores(p, c, batch, temperature).logProbs);
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}
