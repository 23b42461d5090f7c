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

/**
 * The mean gradient (keyed by parameter name) and mean loss over `count` micro-batches: gradient
 * accumulation, shared by every trainer. `lossOf(micro)` draws its micro-batch and returns the loss;
 * it runs inside the gradient's scope. Gradients are summed one weight at a time, each addend freed
 * at once, so the sum never holds three gradient-sized sets.
 */
export async function meanGradients(
  count: number,
  vars: tf.Variable[],
  byVarName: ReadonlyMap<string, string>,
  lossOf: (micro: number) => tf.Scalar,
): Promise<{ grads: Map<string, tf.Tensor>; loss: number }> {
  let accum: Map<string, tf.Tensor> | null = null;
  let lossSum = 0;
  for (let micro = 0; micro < count; micro++) {
    const { value, grads } = tf.variableGrads(() => lossOf(micro), vars);
    const named = new Map(Object.entries(grads).map(([k, g]) => [byVarName.get(k)!, g]));
    if (!accum) accum = named;
    else for (const [k, g] of named) accum.set(k, addAndFree(accum.get(k)!, g));
    lossSum += (await value.data())[0]!;
    value.dispose();
  }
  const grads = accum!;
  if (count > 1) for (const [k, g] of grads) grads.set(k, divAndFree(g, count));
  return { grads, loss: lossSum / count };
}
