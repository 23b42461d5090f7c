import { defineNode, nodeSpec } from '../sdk/index.ts';

const DECAY = { param: 'kind', is: ['cosine', 'linear'] } as const;
const STEP = { param: 'kind', is: ['step'] } as const;

export const spec = nodeSpec({
  type: 'scheduler',
  version: 1,
  category: 'Model',
  label: 'Learning-rate schedule',
  description: 'Constant, linear warm-up then cosine or linear decay, or step decay.',
  inputs: {},
  outputs: { scheduler: { type: 'Scheduler' } },
  params: {
    kind: { kind: 'enum', options: ['cosine', 'linear', 'constant', 'step'], default: 'cosine', help: 'How the learning rate changes over training: after a warm-up (a gentle rise from near zero) it falls along a cosine curve or a straight line, stays constant, or drops by a factor every few steps.' },
    lr: { kind: 'number', default: 3e-3, min: 1e-7, max: 1, label: 'Peak learning rate', help: 'The largest step size training takes: too high and the loss jumps about, too low and it barely falls.' },
    warmupSteps: { kind: 'integer', default: 50, min: 0, max: 1_000_000, label: 'Warm-up steps', help: 'Steps over which the rate rises from near zero to the peak, which keeps the first updates gentle.', when: DECAY },
    minLrRatio: { kind: 'number', default: 0.1, min: 0, max: 1, label: 'Final rate (share of peak)', help: 'The rate at the end of training, as a share of the peak.', when: DECAY },
    stepSize: { kind: 'integer', default: 1000, min: 1, max: 1_000_000, help: 'How many steps pass between drops.', when: STEP },
    gamma: { kind: 'number', default: 0.5, min: 0, max: 1, help: 'The rate is multiplied by this at each drop.', when: STEP },
  },
});

export default defineNode(spec, () => import('./run.ts'));

