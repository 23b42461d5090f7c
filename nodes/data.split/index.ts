import { defineNode } from '../sdk/index.ts';

export default defineNode({
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
  async run(inputs, params, ctx) {
    const { assertDataset, readSplit, DatasetWriter, SPLITS } = await import('../lib/dataset.ts');
    const { Prng } = await import('../lib/prng.ts');
    const source = assertDataset(inputs.dataset, 'dataset');
    const records = [];
    for (const split of SPLITS) for await (const r of readSplit(source, split)) records.push(r);
    if (params.stratify && records.some((r) => typeof r.label !== 'string')) throw new Error('stratify needs every record to have a "label"; add a Label node first');
    const rng = new Prng(ctx.seed);
    const groups = new Map<string, typeof records>();
    for (const r of records) {
      const key = params.stratify ? String(r.label) : '';
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const writer = new DatasetWriter(ctx.artifactDir);
    for (const [, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
      rng.shuffle(group);
      const nVal = Math.round(group.length * params.validation);
      const nTest = Math.round(group.length * params.test);
      for (let i = 0; i < group.length; i++) {
        await writer.write(i < nTest ? 'test' : i < nTest + nVal ? 'validation' : 'train', group[i]!);
      }
    }
    const dataset = await writer.close();
    const rows = (s: 'train' | 'validation' | 'test') => dataset.splits[s]?.rows ?? 0;
    if (!rows('train')) throw new Error(`no records left for training out of ${records.length}`);
    return { outputs: { dataset }, metrics: { train: rows('train'), validation: rows('validation'), test: rows('test') } };
  },
});
