import { defineNode, nodeSpec } from '../sdk/index.ts';
import { splitsOf } from '../lib/model-checks.ts';
import { parsePatterns } from './patterns.ts';

const NEAR = { param: 'dedupe', is: ['near'] } as const;

export const spec = nodeSpec({
  type: 'data.clean',
  version: 1,
  category: 'Data',
  label: 'Clean dataset',
  description:
    'Normalises the text, prompt and response (and each turn of a conversation) of every record in every split, then drops records that are too short or long, ' +
    'match a pattern, or repeat an earlier record (exactly or nearly). Reports how many each rule removed.',
  inputs: { dataset: { type: 'Dataset' } },
  outputs: { dataset: { type: 'Dataset' } },
  params: {
    normalize: { kind: 'enum', options: ['NFC', 'NFKC', 'none'], default: 'NFC', label: 'Unicode', help: 'Makes characters that look the same be stored the same way. NFC joins accents to their letters; NFKC also turns look-alike forms into plain ones (the ligature "ﬁ" into "fi", full-width "Ａ" into "A"); none leaves the text as it is.' },
    whitespace: {
      kind: 'enum',
      options: ['tidy', 'single-line', 'none'],
      default: 'tidy',
      help: 'tidy: trim lines, collapse spaces and tabs, at most one blank line; single-line: every whitespace run becomes one space.',
    },
    lowercase: { kind: 'boolean', default: false, help: 'Turns every capital letter into a small one.' },
    minChars: { kind: 'integer', default: 1, min: 0, label: 'Min characters', help: 'Records whose cleaned text (all text fields together) is shorter are dropped; 1 drops empty ones.' },
    maxChars: { kind: 'integer', default: 0, min: 0, label: 'Max characters', help: '0 means no limit.' },
    dedupe: {
      kind: 'enum',
      options: ['exact', 'near', 'none'],
      default: 'exact',
      label: 'Duplicates',
      help: 'Keeps the first of repeated records, across splits in the order train, validation, test. "near" also drops records that are almost the same as an earlier one (found by comparing their short word sequences).',
    },
    nearThreshold: { kind: 'number', default: 0.8, min: 0.5, max: 1, step: 0.05, label: 'Near-duplicate similarity', help: 'How alike two records must be to count as near duplicates: the share of their short word sequences they have in common (1 means all).', when: NEAR },
    shingleWords: { kind: 'integer', default: 3, min: 1, max: 10, label: 'Words per sequence', help: 'Near duplicates are found by comparing the records\' sequences of this many consecutive words.', when: NEAR },
    dropPatterns: { kind: 'text', default: '', label: 'Drop patterns', help: 'Regular expressions, one per line; a record whose cleaned text matches any is dropped.' },
    patternsIgnoreCase: { kind: 'boolean', default: true, label: 'Patterns ignore case', help: 'Drop patterns match capital and small letters alike.', when: { param: 'dropPatterns', not: [''] } },
  },
  validate(params) {
    const problems = parsePatterns(params.dropPatterns, params.patternsIgnoreCase).errors.map((message) => ({
      param: 'dropPatterns',
      message: `invalid regular expression on ${message}`,
    }));
    if (params.maxChars > 0 && params.maxChars < params.minChars) problems.push({ param: 'maxChars', message: 'must be at least Min characters (or 0 for no limit)' });
    return problems;
  },
  // The splits pass through.
  outputFacts: (_p, inputs) => splitsOf(inputs.dataset),
});

export default defineNode(spec, () => import('./run.ts'));

