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
    normalize: {
      kind: 'enum',
      options: ['NFC', 'NFKC', 'none'],
      default: 'NFKC',
      label: 'Unicode',
      help: 'Makes characters that look the same be stored the same way. NFC joins accents to their letters; NFKC also turns look-alike forms into plain ones (the ligature "ﬁ" into "fi", full-width "Ａ" into "A"); none leaves the text as it is.',
    },
    lowercase: { kind: 'boolean', default: false, help: 'Turns every capital letter into a small one, so "The" and "the" count as one word.' },
    keep: {
      kind: 'enum',
      options: ['everything', 'letters-digits-punctuation', 'letters-only'],
      default: 'everything',
      help: 'Characters outside this class become spaces.',
    },
    collapseWhitespace: { kind: 'boolean', default: true, help: 'Runs of spaces and tabs become one space; lines are trimmed.' },
    dropEmptyLines: { kind: 'boolean', default: false, help: 'Removes lines that are empty after cleaning.' },
  },
});

export default defineNode(spec, () => import('./run.ts'));

