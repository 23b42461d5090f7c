/**
 * The two policy objectives, as scalar losses for tf.variableGrads.
 *
 * GRPO (TRL's GRPOTrainer, loss_type "grpo"): one advantage per sequence (group-relative), the PPO
 * clipped ratio to the policy that sampled, and beta times the k3 estimate of the KL to the frozen
 * reference, exp(ref - logp) - (ref - logp) - 1, per token; averaged over each sequence's tokens,
 * then over sequences. No value head.
 *
 * PPO (TRL's PPOTrainer): per-token advantages from GAE on a value head over the policy's body, the
 * KL penalty already folded into the per-token rewards, the clipped policy loss and a clipped value
 * loss, averaged over all response tokens.
 */
import { tf } from '../backend.ts';
import type { GptConfig } from '../gpt/config.ts';
import type { Params } from '../gpt/model.ts';
import type { PackedBatch } from './batch.ts';
import { tokenScores } from './logprobs.ts';

export const VALUE_HEAD = ['value_head.weight', 'value_head.bias'] as const;

/** Tensors a loss keeps (tf.keep) for the trainer to read after the update: entropy and clip fraction. */
export interface LossStats {
  entropy: tf.Scalar;
  clipFraction: tf.Scalar;
  valueLoss?: tf.Scalar;
}

export interface GrpoInputs {
  batch: PackedBatch;
  oldLogProbs: Float32Array;
  refLogProbs: Float32Array;
  /** One per row. */
  advantages: number[];
  clipEpsilon: number;
  beta: number;
  temperature: number;
}

export interface PpoInputs {
  batch: PackedBatch;
  oldLogProbs: Float32Array;
  oldValues: Float32Array;
  /** Per token, whitened. */
  advantages: Float32Array;
  returns: Float32Array;
  clipEpsilon: number;
  valueClip: number;
  valueCoef: number;
  temperature: number;
}

const maskedMean = (x: tf.Tensor, m: tf.Tensor) => tf.div(tf.sum(tf.mul(x, m)), tf.maximum(tf.sum(m), 1)) as tf.Scalar;

function ratioAndClip(logp: tf.Tensor2D, old: tf.Tensor2D, eps: number, m: tf.Tensor2D) {
  const ratio = tf.exp(tf.sub(logp, old));
  const clipped = tf.clipByValue(ratio, 1 - eps, 1 + eps);
  const outside = tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), eps), 'float32');
  return { ratio, clipped, clipFraction: maskedMean(outside, m) };
}

/** Per-token values of the value head on the policy's last hidden states, [rows, length]. */
export function valuesOf(p: Params, hidden: tf.Tensor2D, rows: number, length: number): tf.Tensor2D {
  const v = tf.add(tf.matMul(hidden, p.get(VALUE_HEAD[0])!), p.get(VALUE_HEAD[1])!);
  return tf.reshape(v, [rows, length]) as tf.Tensor2D;
}

export function grpoLoss(p: Params, c: GptConfig, i: GrpoInputs, stats: (s: LossStats) => void): tf.Scalar {
  const { rows, length } = i.batch;
  const scores = tokenScores(p, c, i.batch, i.temperature);
  const m = tf.tensor2d(i.batch.mask, [rows, length]);
  const old = tf.tensor2d(i.oldLogProbs, [rows, length]);
  const a = tf.tensor2d(i.advantages, [rows, 1]);
  const { ratio, clipped, clipFraction } = ratioAndClip(scores.logProbs, old, i.clipEpsilon, m);
  let perToken = tf.neg(tf.minimum(tf.mul(ratio, a), tf.mul(clipped, a)));
  if (i.beta > 0) {
    const d = tf.sub(tf.tensor2d(i.refLogProbs, [rows, length]), scores.logProbs);
    perToken = tf.add(perToken, tf.mul(tf.sub(tf.sub(tf.exp(d), d), 1), i.beta));
  }
  const perSequence = tf.div(tf.sum(tf.mul(perToken, m), 1), tf.maximum(tf.sum(m, 1), 1));
  stats({ entropy: tf.keep(maskedMean(scores.entropy, m)), clipFraction: tf.keep(clipFraction) });
  return tf.mean(perSequence) as tf.Scalar;
}

export function ppoLoss(p: Params, c: GptConfig, i: PpoInputs, stats: (s: LossStats) => void): tf.Scalar {
  const { rows, length } = i.batch;
  const scores = tokenScores(p, c, i.batch, i.temperature);
  const m = tf.tensor2d(i.batch.mask, [rows, length]);
  const old = tf.tensor2d(i.oldLogProbs, [rows, length]);
  const a = tf.tensor2d(i.advantages, [rows, length]);
  const { ratio, clipped, clipFraction } = ratioAndClip(scores.logProbs, old, i.clipEpsilon, m);
  const policyLoss = maskedMean(tf.maximum(tf.neg(tf.mul(a, ratio)), tf.neg(tf.mul(a, clipped))), m);
  const values = valuesOf(p, scores.hidden, rows, length);
  const oldValues = tf.tensor2d(i.oldValues, [rows, length]);
  const returns = tf.tensor2d(i.returns, [rows, length]);
  const valuesClipped = tf.add(oldValues, tf.clipByValue(tf.sub(values, oldValues), -i.valueClip, i.valueClip));
  const valueLoss = tf.mul(maskedMean(tf.maximum(tf.square(tf.sub(values, returns)), tf.square(tf.sub(valuesClipped, returns))), m), 0.5) as tf.Scalar;
  stats({ entropy: tf.keep(maskedMean(scores.entropy, m)), clipFraction: tf.keep(clipFraction), valueLoss: tf.keep(valueLoss) });
  return tf.add(policyLoss, tf.mul(valueLoss, i.valueCoef)) as tf.Scalar;
}
