/**
 * Training on preference pairs with the Bradley-Terry loss, -log sigmoid(r_chosen - r_rejected), for
 * any reward: a reward model's scalar head, or DPO's implicit reward beta * (log pi - log pi_ref).
 * Batches of pairs drawn with a seeded PRNG; checkpoints and exact resume as in pretraining; every
 * step inside the gradient's scope, reading back one small stats tensor, so the tensor count stays flat.
 */
import { tf } from '../backend.ts';
import { Prng } from '../prng.ts';
import { saveCheckpoint, startingState, type TrainState } from '../train/checkpoint.ts';
import { learningSetup, type TrainLoopOptions } from '../train/loop-options.ts';
import { learningRate } from '../train/schedule.ts';
import { applyUpdate, meanGradients } from '../train/update.ts';
import type { EncodedPair } from './pair-encoding.ts';

/** The rewards of each pair's chosen and rejected response, [n] each. */
export type PairRewards = (pairs: readonly EncodedPair[], training: boolean, dropoutSeed: number) => { chosen: tf.Tensor1D; rejected: tf.Tensor1D };

export interface PairTrainOptions extends TrainLoopOptions {
  train: EncodedPair[];
  validation?: EncodedPair[];
  rewards: PairRewards;
  /** Pairs per forward pass in evaluation. */
  evalBatchSize?: number;
}

export interface PairEvaluation {
  pairs: number;
  loss: number;
  /** Fraction of pairs whose chosen reward is higher (a tie counts half: a model that cannot tell scores 0.5). */
  accuracy: number;
  margin: number;
  chosenMean: number;
  rejectedMean: number;
  chosen: Float32Array;
  rejected: Float32Array;
}

export interface PairTrainResult {
  finalLoss: number;
  validation: PairEvaluation | null;
  resumedFrom: number | null;
  history: NonNullable<TrainState['history']>;
}

/**
 * Bradley-Terry loss of rewards, -log sigmoid(margin) = softplus(-margin). (tf.logSigmoid's gradient
 * closes over its input, which tfjs frees before the backward pass.)
 */
export const pairLoss = (chosen: tf.Tensor1D, rejected: tf.Tensor1D): tf.Scalar => tf.mean(tf.softplus(tf.sub(rejected, chosen))) as tf.Scalar;

/** Accuracy, margin and loss from rewards read back. */
export function summarise(chosen: Float32Array, rejected: Float32Array): PairEvaluation {
  const n = chosen.length;
  let right = 0;
  let margin = 0;
  let loss = 0;
  let c = 0;
  let r = 0;
  for (let i = 0; i < n; i++) {
    const m = chosen[i]! - rejected[i]!;
    right += m > 0 ? 1 : m === 0 ? 0.5 : 0;
    margin += m;
    // -log sigmoid(m), written to stay finite for large |m|
    loss += m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m));
    c += chosen[i]!;
    r += rejected[i]!;
  }
  const d = Math.max(1, n);
  return { pairs: n, loss: loss / d, accuracy: right / d, margin: margin / d, chosenMean: c / d, rejectedMean: r / d, chosen, rejected };
}

export async function evaluatePairs(pairs: readonly EncodedPair[], rewards: PairRewards, batchSize = 16): Promise<PairEvaluation> {
  const chosen = new Float32Array(pairs.length);
  const rejected = new Float32Array(pairs.length);
  for (let i = 0; i < pairs.length; i += batchSize) {
    const t = tf.tidy(() => {
      const r = rewards(pairs.slice(i, i + batchSize), false, 0);
      return tf.concat([r.chosen, r.rejected]);
    });
    const data = (await t.data()) as Float32Array;
    t.dispose();
    const k = data.length / 2;
    chosen.set(data.subarray(0, k), i);
    rejected.set(data.subarray(k), i);
  }
  return summarise(chosen, rejected);
}

export async function trainPairs(o: PairTrainOptions): Promise<PairTrainResult> {
  if (!o.train.length) throw new Error('no training pairs');
  const { learning, vars, byVarName: byVar, optimizer, unfreeze } = learningSetup(o);
  try {
    const { state, resumedFrom } = startingState(o, optimizer);
    const rng = new Prng(state.rng);
    const history = [...(state.history ?? [])];
    let lastLoss = history.at(-1)?.loss ?? Number.NaN;
    let validation: PairEvaluation | null = null;
    while (state.step < o.steps) {
      if (o.signal?.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
      const lr = learningRate(o.schedule, state.step, o.steps);
      // Per micro-batch: margin, accuracy (ties half) and the mean rewards, kept out of the gradient's scope and read once below.
      const stats: tf.Tensor[] = [];
      const { grads: named, loss } = await meanGradients(o.gradAccum ?? 1, vars, byVar, (micro) => {
        const batch = Array.from({ length: Math.min(o.batchSize, o.train.length) }, () => o.train[rng.int(o.train.length)]!);
        // Micro-batch 0 keeps the dropout seed of a run without accumulation: gradAccum 1 trains as before.
        const r = o.rewards(batch, true, o.seed + state.step * 97 + micro);
        const margin = tf.sub(r.chosen, r.rejected);
        stats.push(
          tf.keep(tf.stack([tf.mean(margin), tf.mean(tf.add(tf.cast(tf.greater(margin, 0), 'float32'), tf.mul(tf.cast(tf.equal(margin, 0), 'float32'), 0.5))), tf.mean(r.chosen), tf.mean(r.rejected)])),
        );
        return pairLoss(r.chosen, r.rejected);
      });
      const s = new Float32Array(4);
      for (const t of stats) {
        const d = (await t.data()) as Float32Array;
        t.dispose();
        for (let i = 0; i < 4; i++) s[i]! += d[i]! / stats.length;
      }
      const gradNorm = await applyUpdate(optimizer, named, lr, loss, state.step + 1);
      state.step++;
      state.optimizerStep = optimizer.step;
      lastLoss = loss;
      const metrics: Record<string, number> = { loss, lr, gradNorm, rewardMargin: s[0]!, preferenceAccuracy: s[1]!, chosenReward: s[2]!, rejectedReward: s[3]! };
      const entry: (typeof history)[number] = { step: state.step, loss };
      let isBest = false;
      if (o.validation?.length && (state.step % o.evalEvery === 0 || state.step === o.steps)) {
        validation = await evaluatePairs(o.validation, o.rewards, o.evalBatchSize ?? o.batchSize);
        Object.assign(metrics, {
          valLoss: validation.loss,
          valPreferenceAccuracy: validation.accuracy,
          valRewardMargin: validation.margin,
          valChosenReward: validation.chosenMean,
          valRejectedReward: validation.rejectedMean,
        });
        entry.valLoss = validation.loss;
        state.lastValLoss = validation.loss;
        isBest = state.bestValLoss === null || validation.loss < state.bestValLoss;
        if (isBest) state.bestValLoss = validation.loss;
      }
      history.push(entry);
      state.history = history;
      state.rng = rng.state();
      if (o.checkpointEvery > 0 && (state.step % o.checkpointEvery === 0 || state.step === o.steps)) {
        await saveCheckpoint(o.checkpointDir, state, o.params, optimizer, o.keepCheckpoints, isBest);
      }
      await o.progress(state.step, o.steps, metrics);
    }
    // Resumed at the end, or never evaluated at the last step: measure the model as it stands.
    if (!validation && o.validation?.length) validation = await evaluatePairs(o.validation, o.rewards, o.evalBatchSize ?? o.batchSize);
    return { finalLoss: lastLoss, validation, resumedFrom, history };
  } finally {
    unfreeze();
    optimizer.dispose();
  }
}
