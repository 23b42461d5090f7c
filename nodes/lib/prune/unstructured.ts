/**
 * Unstructured magnitude pruning: in every weight matrix of the transformer blocks, the given share
 * of its entries with the smallest |w| become zero (per matrix, so every layer keeps the same
 * density). Embeddings, norms and the output head stay dense. The masks are kept so a recovery
 * fine-tune can hold the pruned entries at zero.
 */
import { tf } from '../backend.ts';
import type { Params } from '../gpt/model.ts';

/** The dense layers of the blocks, by Weft's parameter names (every family). */
export const isBlockMatrix = (name: string): boolean => /^h\.\d+\.(attn\.(q|k|v|c_proj)|mlp\.(c_fc|c_proj|gate|up|down))\.weight$/.test(name);

export interface Masks {
  /** Per pruned variable, a 0/1 tensor of its shape. */
  masks: Map<string, tf.Tensor>;
  /** Re-applies the masks (after an optimizer step); creates no lasting tensor. */
  apply(params: Params): void;
  dispose(): void;
}

/** The k-th smallest of |values| (k >= 1), from a sorted copy. */
function magnitudeThreshold(values: Float32Array, k: number): number {
  const abs = Float32Array.from(values, Math.abs).sort();
  return abs[k - 1]!;
}

export async function pruneByMagnitude(params: Params, sparsity: number): Promise<Masks> {
  const masks = new Map<string, tf.Tensor>();
  for (const [name, v] of params) {
    if (!isBlockMatrix(name)) continue;
    const data = (await v.data()) as Float32Array;
    const k = Math.round(data.length * sparsity);
    const mask = new Float32Array(data.length).fill(1);
    if (k > 0) {
      const threshold = magnitudeThreshold(data, k);
      // Exactly k zeros even when magnitudes tie at the threshold: the first ties met are pruned.
      let below = 0;
      for (let i = 0; i < data.length; i++) if (Math.abs(data[i]!) < threshold) below++;
      let ties = k - below;
      for (let i = 0; i < data.length; i++) {
        const a = Math.abs(data[i]!);
        if (a < threshold || (a === threshold && ties-- > 0)) mask[i] = 0;
      }
    }
    const m = tf.tensor(mask, v.shape);
    masks.set(name, m);
    tf.tidy(() => void v.assign(tf.mul(v, m)));
  }
  return {
    masks,
    apply(p) {
      tf.tidy(() => {
        for (const [name, m] of masks) {
          const v = p.get(name)!;
          v.assign(tf.mul(v, m));
        }
      });
    },
    dispose() {
      for (const m of masks.values()) m.dispose();
      masks.clear();
    },
  };
}

/** Zeros and entries over the block matrices, read from the weights themselves. */
export async function measureSparsity(params: Params): Promise<{ zeros: number; total: number; perMatrix: Record<string, number> }> {
  let zeros = 0;
  let total = 0;
  const perMatrix: Record<string, number> = {};
  for (const [name, v] of params) {
    if (!isBlockMatrix(name)) continue;
    const data = (await v.data()) as Float32Array;
    let z = 0;
    for (const x of data) if (x === 0) z++;
    zeros += z;
    total += data.length;
    perMatrix[name] = z / data.length;
  }
  return { zeros, total, perMatrix };
}
