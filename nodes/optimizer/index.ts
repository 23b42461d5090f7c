import { defineNode, nodeSpec } from '../sdk/index.ts';

export const spec = nodeSpec({
  type: 'optimizer',
  version: 1,
  category: 'Model',
  label: 'Optimizer',
  description: 'AdamW (decoupled weight decay), Adam, or SGD with momentum; gradient clipping by global norm.',
  inputs: {},
  outputs: { optimizer: { type: 'Optimizer' } },
  params: {
    kind: { kind: 'enum', options: ['adamw', 'adam', 'sgd'], default: 'adamw' },
    weightDecay: { kind: 'number', default: 0.1, min: 0, max: 1, help: 'Applied to weight matrices only.' },
    beta1: { kind: 'number', default: 0.9, min: 0, max: 0.9999 },
    beta2: { kind: 'number', default: 0.95, min: 0, max: 0.99999 },
    eps: { kind: 'number', default: 1e-8, min: 1e-12, max: 1e-3 },
    momentum: { kind: 'number', default: 0.9, min: 0, max: 0.999, help: 'SGD only.' },
    clipNorm: { kind: 'number', default: 1, min: 0, max: 1000, help: 'Clip gradients to this global L2 norm; 0 turns clipping off.' },
  },
});

export default defineNode(spec, () => import('./run.ts'));

