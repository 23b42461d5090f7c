import { defineNode, nodeSpec } from '../sdk/index.ts';

export const spec = nodeSpec({
  type: 'scheduler',
  version: 1,
  category: 'Model',
  label: 'Learning-rate schedule',
  description: 'Constant, linear warm-up then cosine or linear decay, or step decay.',
  inputs: {},
  outputs: { scheduler: { type: 'Scheduler' } },
  params: {
    kind: { kind: 'enum', options: ['cosine', 'linear', 'constant', 'step'], default: 'cosine' },
    lr: { kind: 'number', default: 3e-3, min: 1e-7, max: 1, label: 'Peak learning rate' },
    warmupSteps: { kind: 'integer', default: 50, min: 0, max: 1_000_000 },
    minLrRatio: { kind: 'number', default: 0.1, min: 0, max: 1, help: 'Cosine/linear decay ends at this fraction of the peak.' },
    stepSize: { kind: 'integer', default: 1000, min: 1, max: 1_000_000, help: 'Step decay: steps between drops.' },
    gamma: { kind: 'number', default: 0.5, min: 0, max: 1, help: 'Step decay: factor at each drop.' },
  },
});

export default defineNode(spec, () => import('./run.ts'));

