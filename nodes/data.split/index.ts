import { defineNode, nodeSpec } from '../sdk/index.ts';

export const spec = nodeSpec({
  type: 'data.split',
  version: 1,
  category: 'Data',
  label: 'Split train/validation/test',
  description: 'Seeded random split of records by ratio, optionally stratified so each split keeps the label proportions.',
  inputs: { dataset: { type: 'Dataset' } },
  outputs: { dataset: { type: 'Dataset' } },
  params: {
    validation: { kind: 'number', default: 0.1, min: 0, max: 0.9, step: 0.01, help: 'Fraction of records for validation.' },
    test: { kind: 'number', default: 0, min: 0, max: 0.9, step: 0.01, help: 'Fraction of records for the held-out test set.' },
    stratify: { kind: 'boolean', default: false, help: 'Split each label separately (needs a "label" field).' },
  },
  validate(params) {
    return params.validation + params.test >= 1 ? [{ param: 'test', message: 'validation + test must leave some records for training' }] : [];
  },
  outputFacts: (p) => ({ dataset: { validationSplit: p.validation > 0, testSplit: p.test > 0 } }),
});

export default defineNode(spec, () => import('./run.ts'));

