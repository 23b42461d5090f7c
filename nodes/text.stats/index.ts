import { defineNode, nodeSpec } from '../sdk/index.ts';

export const spec = nodeSpec({
  type: 'text.stats',
  version: 1,
  category: 'Data',
  label: 'Text statistics',
  description: 'Counts characters, words and distinct words, and writes the most frequent words as a CSV table.',
  inputs: { text: { type: 'Text' } },
  outputs: { metrics: { type: 'Metrics' } },
  params: {
    topWords: { kind: 'integer', default: 50, min: 1, max: 10000, help: 'How many of the most frequent words to list.' },
    caseSensitive: { kind: 'boolean', default: false, help: 'Count "The" and "the" as different words; off, case is ignored.' },
  },
  metricNames: () => ['chars', 'words', 'distinctWords', 'typeTokenRatio'],
});

export default defineNode(spec, () => import('./run.ts'));

