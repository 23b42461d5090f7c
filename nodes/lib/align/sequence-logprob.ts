/**
 * Summed log-probabilities of the response tokens of sequences (DPO's log pi(y|x)): one forward pass
 * over right-padded rows, each token's log-softmax picked by a one-hot product (a gradient every
 * backend has), weighted 1 on response tokens and 0 elsewhere, summed per row.
 */
import { tf } from '../backend.ts';
import type { GptConfig } from '../gpt/config.ts';
import { hiddenStates, lmLogits, type Params } from '../gpt/model.ts';
import type { ScoredSequence } from './pair-encoding.ts';

export function responseLogProbs(params: Params, config: GptConfig, seqs: readonly ScoredSequence[], padId: number, training = false, dropoutSeed = 0): tf.Tensor1D {
  const n = seqs.length;
  const T = Math.max(2, ...seqs.map((s) => s.ids.length));
  const x = new Int32Array(n * T).fill(padId);
  const y = new Int32Array(n * T).fill(padId);
  const w = new Float32Array(n * T);
  seqs.forEach((s, b) => {
    x.set(s.ids, b * T);
    for (let t = 0; t + 1 < s.ids.length; t++) {
      y[b * T + t] = s.ids[t + 1]!;
      // Position t predicts token t+1: it counts when that token is part of the response.
      if (t + 1 >= s.start) w[b * T + t] = 1;
    }
  });
  const hidden = hiddenStates(params, config, tf.tensor2d(x, [n, T], 'int32'), { training, dropoutSeed });
  const logits = lmLogits(params, config, hidden);
  const logProbs = tf.sub(logits, tf.logSumExp(logits, 1, true));
  const picked = tf.sum(tf.mul(tf.cast(tf.oneHot(tf.tensor1d(y, 'int32'), config.vocabSize), 'float32'), logProbs), 1);
  return tf.sum(tf.reshape(tf.mul(picked, tf.tensor1d(w)), [n, T]), 1) as tf.Tensor1D;
}

/** The same as numbers, `batchSize` rows at a time. */
export async function responseLogProbsOf(params: Params, config: GptConfig, seqs: readonly ScoredSequence[], padId: number, batchSize = 16): Promise<Float32Array> {
  const out = new Float32Array(seqs.length);
  for (let i = 0; i < seqs.length; i += batchSize) {
    const t = tf.tidy(() => responseLogProbs(params, config, seqs.slice(i, i + batchSize), padId));
    out.set((await t.data()) as Float32Array, i);
    t.dispose();
  }
  return out;
}
