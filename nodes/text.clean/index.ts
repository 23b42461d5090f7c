import { defineNode, nodeSpec } from '../sdk/index.ts';

export const spec = nodeSpec({
  type: 'text.clean',
  version: 1,
  category: 'Data',
  label: 'Clean text',
  description: 'Unicode normalisation, case folding, character filtering and whitespace clean-up, line by line.',
  inputs: { text: { type: 'Text' } },
  outputs: { text: { type: 'Text' } },
  params: {
    normalize: { kind: 'enum', options: ['NFC', 'NFKC', 'none'], default: 'NFKC', help: 'NFKC also folds compatibility forms (ligatures, full-width letters).' },
    lowercase: { kind: 'boolean', default: false },
    keep: {
      kind: 'enum',
      options: ['everything', 'letters-digits-punctuation', 'letters-only'],
      default: 'everything',
      help: 'Characters outside this class become spaces.',
    },
    collapseWhitespace: { kind: 'boolean', default: true, help: 'Runs of spaces and tabs become one space; lines are trimmed.' },
    dropEmptyLines: { kind: 'boolean', default: false },
  },
});

export default defineNode(spec, () => import('./run.ts'));

