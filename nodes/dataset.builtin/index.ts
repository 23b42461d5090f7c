import { defineNode, nodeSpec } from '../sdk/index.ts';

export const spec = nodeSpec({
  type: 'dataset.builtin',
  version: 1,
  category: 'Data',
  label: 'Built-in corpus',
  description: 'Real text that ships with Weft: Moby-Dick (chapters), US State of the Union addresses, SpamAssassin e-mails labelled spam/ham.',
  inputs: {},
  outputs: { dataset: { type: 'Dataset' } },
  params: {
    corpus: { kind: 'enum', options: ['moby-dick', 'state-of-the-union', 'spam-assassin'], default: 'moby-dick', help: 'Which text: Moby-Dick one record per chapter, one record per State of the Union address, or one per e-mail with a spam/ham label.' },
    maxRecords: { kind: 'integer', default: 0, min: 0, max: 1_000_000, help: '0 keeps every record; otherwise a seeded random sample of this many, in corpus order.' },
  },
  // Every record goes to the train split; a Split node makes a validation split.
  outputFacts: () => ({ dataset: { validationSplit: false, testSplit: false } }),
});

export default defineNode(spec, () => import('./run.ts'));

