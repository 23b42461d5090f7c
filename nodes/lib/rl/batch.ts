/**
 * Rollouts packed for the trainer: every prompt + response as one row, right-padded to the longest
 * (causal attention keeps padding after a row's end from touching it, and positions stay those of
 * generation). Position t of a row predicts token t+1; `mask` marks the positions that predict a
 * response token, the only ones the objective and the metrics count.
 */
export interface Rollout {
  /** Index of the prompt record this rollout answers. */
  promptIndex: number;
  prompt: number[];
  response: number[];
  stopped: boolean;
}

export interface PackedBatch {
  rows: number;
  length: number;
  /** [rows * length] token ids. */
  ids: Int32Array;
  /** [rows * length] the token each position predicts (0 where masked out). */
  targets: Int32Array;
  /** [rows * length] 1 where the position predicts a response token. */
  mask: Float32Array;
  /** Response tokens per row. */
  responseLengths: number[];
}

export function packRollouts(rollouts: Rollout[], padId: number): PackedBatch {
  const length = Math.max(2, ...rollouts.map((r) => r.prompt.length + r.response.length));
  const rows = rollouts.length;
  const ids = new Int32Array(rows * length).fill(padId);
  const targets = new Int32Array(rows * length);
  const mask = new Float32Array(rows * length);
  rollouts.forEach((r, b) => {
    const seq = [...r.prompt, ...r.response];
    ids.set(seq, b * length);
    for (let j = 0; j < r.response.length; j++) {
      const t = r.prompt.length - 1 + j;
      targets[b * length + t] = r.response[j]!;
      mask[b * length + t] = 1;
    }
  });
  return { rows, length, ids, targets, mask, responseLengths: rollouts.map((r) => r.response.length) };
}
