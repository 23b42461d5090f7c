import { defineNode, nodeSpec } from '../sdk/index.ts';

export const spec = nodeSpec({
  type: 'dataset.synthetic',
  version: 1,
  category: 'Data',
  label: 'Synthetic task',
  description:
    'Seeded prompt/response pairs for tasks whose success is measurable: two-number addition, reversing a word, sorting letters; or short reviews of random positive and negative words (the vocabulary of the sentiment preference pairs, 40 AFINN words a side).',
  inputs: {},
  outputs: { dataset: { type: 'Dataset' } },
  params: {
    task: { kind: 'enum', options: ['addition', 'reverse-word', 'sort-letters', 'reviews'], default: 'addition', help: 'What the prompts ask: add two numbers, write a word backwards, put a word\'s letters in order, or (reviews) short texts of positive and negative words.' },
    count: { kind: 'integer', default: 2000, min: 10, max: 1_000_000, help: 'How many prompt/response records to make.' },
    digits: { kind: 'integer', default: 2, min: 1, max: 6, help: 'Digits in each number added.', when: { param: 'task', is: ['addition'] } },
    maxWordLength: { kind: 'integer', default: 6, min: 3, max: 12, help: 'Words have 3 to this many letters.', when: { param: 'task', is: ['reverse-word', 'sort-letters'] } },
  },
  // Every record goes to the train split; a Split node makes a validation split.
  outputFacts: () => ({ dataset: { validationSplit: false, testSplit: false } }),
});

export default defineNode(spec, () => import('./run.ts'));

