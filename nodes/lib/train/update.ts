import { tf } from '../backend.ts';
import { Optimizer } from './optimizer.ts';

/**
 * One optimizer update from named gradients, shared by every trainer: measures the global norm,
 * refuses a non-finite loss or norm before anything is applied (so no checkpoint can be poisoned),
 * applies, and frees the gradients. Returns the gradient norm.
 */
export async function applyUpdate(optimizer: Optimizer, grads: Map<string, tf.Tensor>, lr: number, loss: number, step: number): Promise<number> {
  const norm = Optimizer.globalNorm(grads);
  try {
    const gradNorm = (await norm.data())[0]!;
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      throw new Error(
        `${Number.isFinite(loss) ? `the gradient norm became ${gradNorm} (the loss was ${loss.toPrecision(4)})` : `the loss became ${loss}`} at step ${step} (learning rate ${lr.toPrecision(3)}); ` +
          `training stopped before saving anything from this step. Lower the learning rate or set a gradient clipping norm.`,
      );
    }
    optimizer.apply(grads, lr, norm);
    return gradNorm;
  } finally {
    norm.dispose();
    for (const g of grads.values()) g.dispose();
  }
}

/** a + b, freeing both: gradients summed over micro-batches one weight at a time. */
export function addAndFree(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const sum = tf.add(a, b);
  a.dispose();
  b.dispose();
  return sum;
}

/** g / n, freeing g. */
export function divAndFree(g: tf.Tensor, n: number): tf.Tensor {
  const mean = tf.div(g, n);
  g.dispose();
  return mean;
}
