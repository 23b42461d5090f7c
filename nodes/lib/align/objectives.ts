/**
 * The two rewards trained with the Bradley-Terry loss: a reward model's scalar head, and DPO's
 * implicit reward beta * (log pi(y|x) - log pi_ref(y|x)) against a frozen reference.
 */
import { tf } from '../backend.ts';
import type { GptConfig } from '../gpt/config.ts';
import type { Params } from '../gpt/model.ts';
import type { EncodedPair } from './pair-encoding.ts';
import type { PairRewards } from './pair-trainer.ts';
import { rewardScores } from './reward.ts';
import { responseLogProbs, responseLogProbsOf } from './sequence-logprob.ts';

const split = (r: tf.Tensor1D, n: number) => ({ chosen: tf.slice(r, 0, n) as tf.Tensor1D, rejected: tf.slice(r, n, n) as tf.Tensor1D });

export function rewardModelRewards(params: Params, config: GptConfig, padId: number): PairRewards {
  return (pairs, training, seed) => split(rewardScores(params, config, [...pairs.map((p) => p.chosen.ids), ...pairs.map((p) => p.rejected.ids)], padId, training, seed), pairs.length);
}

export function dpoRewards(params: Params, config: GptConfig, padId: number, beta: number): PairRewards {
  return (pairs, training, seed) => {
    const policy = responseLogProbs(params, config, [...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)], padId, training, seed);
    const ref = tf.tensor1d(
      [...pairs, ...pairs].map((p, i) => {
        if (!p.ref) throw new Error('DPO pair without reference log-probabilities');
        return i < pairs.length ? p.ref.chosen : p.ref.rejected;
      }),
    );
    return split(tf.mul(tf.sub(policy, ref), beta) as tf.Tensor1D, pairs.length);
  };
}

/**
 * Attaches the reference model's summed response log-probabilities to each pair, computed in
 * groups of `batchSize` pairs as evaluation groups them (so the untrained policy's implicit rewards
 * come out exactly zero). Returns how often the reference already gives the chosen response the
 * higher log-probability.
 */
export async function attachReference(params: Params, config: GptConfig, pairs: EncodedPair[], padId: number, batchSize: number): Promise<number> {
  let prefers = 0;
  for (let i = 0; i < pairs.length; i += batchSize) {
    const group = pairs.slice(i, i + batchSize);
    const lp = await responseLogProbsOf(params, config, [...group.map((p) => p.chosen), ...group.map((p) => p.rejected)], padId, 2 * group.length);
    group.forEach((p, k) => {
      p.ref = { chosen: lp[k]!, rejected: lp[group.length + k]! };
      prefers += p.ref.chosen > p.ref.rejected ? 1 : p.ref.chosen === p.ref.rejected ? 0.5 : 0;
    });
  }
  return prefers / Math.max(1, pairs.length);
}

/** How often the model gives the chosen response the higher log-probability (the policy's own preference). */
export async function logProbPreference(params: Params, config: GptConfig, pairs: readonly EncodedPair[], padId: number, batchSize: number): Promise<number> {
  let prefers = 0;
  for (let i = 0; i < pairs.length; i += batchSize) {
    const group = pairs.slice(i, i + batchSize);
    const lp = await responseLogProbsOf(params, config, [...group.map((p) => p.chosen), ...group.map((p) => p.rejected)], padId, 2 * group.length);
    group.forEach((_, k) => (prefers += lp[k]! > lp[group.length + k]! ? 1 : lp[k] === lp[group.length + k] ? 0.5 : 0));
  }
  return prefers / Math.max(1, pairs.length);
}
