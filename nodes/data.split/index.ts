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
    // Two passes over the records, holding only a group id and a split per record, so a split of
    // any size runs in bounded memory. Records keep their original order within each split.
    const groupOf: number[] = [];
    const groupIds = new Map<string, number>();
    for (const split of SPLITS) {
      for await (const r of readSplit(source, split)) {
        if (params.stratify && typeof r.label !== 'string') throw new Error(`stratify needs every record to have a "label" (${split} record ${groupOf.length + 1} has none); add a Label node first`);
        const key = params.stratify ? String(r.label) : '';
        if (!groupIds.has(key)) groupIds.set(key, groupIds.size);
        groupOf.push(groupIds.get(key)!);
      }
    }
    const rng = new Prng(ctx.seed);
    const assigned = new Uint8Array(groupOf.length); // 0 train, 1 validation, 2 test
    for (const [, id] of [...groupIds].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const members = rng.shuffle(groupOf.flatMap((g, i) => (g === id ? [i] : [])));
      const nVal = Math.round(members.length * params.validation);
      const nTest = Math.round(members.length * params.test);
      members.forEach((index, k) => (assigned[index] = k < nTest ? 2 : k < nTest + nVal ? 1 : 0));
    }
    const names = ['train', 'validation', 'test'] as const;
    const writer = new DatasetWriter(ctx.artifactDir, source);
    let index = 0;
    for (const split of SPLITS) for await (const r of readSplit(source, split)) await writer.write(names[assigned[index++]!]!, r);
    const dataset = await writer.close();
    const rows = (s: 'train' | 'validation' | 'test') => dataset.splits[s]?.rows ?? 0;
    if (!rows('train')) throw new Error(`no records left for training out of ${groupOf.length}`);
    return { outputs: { dataset }, metrics: { train: rows('train'), validation: rows('validation'), test: rows('test') } };
  },
});
