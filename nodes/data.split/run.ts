import { withSplitFiles, readSplit, DatasetWriter, SPLITS } from '../lib/dataset.ts';
import { Prng } from '../lib/prng.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (inputs, params, ctx) => {
  const source = withSplitFiles(inputs.dataset);
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
};

export default run;
