/**
 * The learning rate every trainer has of its own, used when no Learning-rate schedule node is
 * connected (and hidden in the inspector when one is). Light: imported by node specs.
 */
import type { NumberParam } from '../../sdk/index.ts';

/** `shape` says what the default schedule does with the rate, e.g. "after 10 warm-up steps, constant". */
export function learningRateParam(lr: number, shape: string) {
  return {
    kind: 'number',
    default: lr,
    min: 1e-7,
    max: 1,
    label: 'Learning rate',
    help: `How big a step each update takes: too high and the loss jumps about or becomes NaN, too low and it barely falls. Used when no Learning-rate schedule node is connected (${shape}).`,
    when: { notConnected: 'scheduler' },
  } as const satisfies NumberParam;
}
