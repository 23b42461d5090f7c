import { defineNode, nodeSpec } from '../sdk/index.ts';

const ADAM = { param: 'kind', is: ['adamw', 'adam'] } as const;

export const spec = nodeSpec({
  type: 'optimizer',
  version: 1,
  category: 'Model',
  label: 'Optimizer',
  description: 'AdamW (decoupled weight decay), Adam, or SGD with momentum; gradient clipping by global norm.',
  inputs: {},
  outputs: { optimizer: { type: 'Optimizer' } },
  params: {
    kind: { kind: 'enum', options: ['adamw', 'adam', 'sgd'], default: 'adamw', help: 'The rule that turns gradients into weight updates. adamw is the usual choice for transformers; adam differs in how weight decay is applied; sgd is plain steps with momentum.' },
    weightDecay: { kind: 'number', default: 0.1, min: 0, max: 1, help: 'Pulls weights a little towards zero at each step, which keeps the model from over-fitting; applied to weight matrices only.' },
    beta1: { kind: 'number', default: 0.9, min: 0, max: 0.9999, help: 'How much of the past gradients each step keeps (momentum); 0.9 is the usual value.', when: ADAM },
    beta2: { kind: 'number', default: 0.95, min: 0, max: 0.99999, help: 'How slowly the running size of the gradients changes; 0.95 to 0.999 are usual.', when: ADAM },
    eps: { kind: 'number', default: 1e-8, min: 1e-12, max: 1e-3, label: 'Epsilon', help: 'A tiny number that keeps updates finite where gradients are near zero; rarely changed.', when: ADAM },
    momentum: { kind: 'number', default: 0.9, min: 0, max: 0.999, help: 'How much of the previous step each step keeps.', when: { param: 'kind', is: ['sgd'] } },
    clipNorm: { kind: 'number', default: 1, min: 0, max: 1000, label: 'Gradient clipping', help: 'Shrinks an unusually large update to this size, so one bad batch cannot wreck training; 0 turns it off.' },
  },
});

export default defineNode(spec, () => import('./run.ts'));

