/**
 * Gradient accumulation, the same setting on every trainer that has a batch: what the memory check
 * suggests when a batch does not fit ("batch size 4 with gradient accumulation 4") is a value the
 * user can set on that node. Light: imported by node specs.
 */
import type { NumberParam } from '../../sdk/index.ts';

export const gradAccumParam = {
  kind: 'integer',
  default: 1,
  min: 1,
  max: 1024,
  label: 'Gradient accumulation',
  help: 'Batches whose gradients are averaged before each update: the effective batch is batch size x this, for the memory of one batch (slower per update). Raise it when a larger batch does not fit.',
} as const satisfies NumberParam;
