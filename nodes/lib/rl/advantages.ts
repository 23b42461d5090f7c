/** Advantages: GRPO's group-relative ones (one per sequence), and PPO's per-token GAE. Plain numbers. */

/**
 * GRPO: each reward minus its group's mean, divided by the group's standard deviation (plus a small
 * epsilon, as TRL's GRPOTrainer: a group whose rewards are all equal teaches nothing and gets 0).
 */
export function groupAdvantages(rewards: number[], groupSize: number, scaleByStd: boolean): number[] {
  const out = new Array<number>(rewards.length);
  for (let g = 0; g < rewards.length; g += groupSize) {
    const group = rewards.slice(g, g + groupSize);
    const mean = group.reduce((a, b) => a + b, 0) / group.length;
    // torch.std is the unbiased (n - 1) estimate; TRL uses it.
    const variance = group.length > 1 ? group.reduce((a, r) => a + (r - mean) ** 2, 0) / (group.length - 1) : 0;
    const std = Math.sqrt(variance);
    group.forEach((r, i) => (out[g + i] = scaleByStd ? (r - mean) / (std + 1e-4) : r - mean));
  }
  return out;
}

/**
 * PPO's generalised advantage estimation over each row's response tokens (the masked positions, in
 * order): per-token rewards (the KL penalty, plus the sequence's score on its last token) and the
 * value head's estimates; the value after the last token is 0. Returns advantages and returns
 * (advantage + value), 0 outside the mask.
 */
export function gae(rewards: Float32Array, values: Float32Array, mask: Float32Array, rows: number, length: number, gamma: number, lambda: number): { advantages: Float32Array; returns: Float32Array } {
  const advantages = new Float32Array(rows * length);
  const returns = new Float32Array(rows * length);
  for (let b = 0; b < rows; b++) {
    let next = 0;
    let nextValue = 0;
    for (let t = length - 1; t >= 0; t--) {
      const i = b * length + t;
      if (!mask[i]) continue;
      const delta = rewards[i]! + gamma * nextValue - values[i]!;
      next = delta + gamma * lambda * next;
      advantages[i] = next;
      returns[i] = next + values[i]!;
      nextValue = values[i]!;
    }
  }
  return { advantages, returns };
}

/** Advantages shifted and scaled to mean 0 and variance 1 over the masked positions (PPO's whitening). */
export function whiten(values: Float32Array, mask: Float32Array): Float32Array {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) if (mask[i]) (sum += values[i]!), n++;
  if (n < 2) return values.slice();
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < values.length; i++) if (mask[i]) sq += (values[i]! - mean) ** 2;
  const std = Math.sqrt(sq / (n - 1));
  return values.map((v, i) => (mask[i] ? (v - mean) / (std + 1e-8) : 0));
}
