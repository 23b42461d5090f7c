import { defineNode, nodeSpec } from '../sdk/index.ts';
import { parsePatterns } from './patterns.ts';

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
    normalize: { kind: 'enum', options: ['NFC', 'NFKC', 'none'], default: 'NFC', label: 'Unicode', help: 'NFKC also folds compatibility forms (ligatures, full-width letters).' },
    whitespace: {
      kind: 'enum',
      options: ['tidy', 'single-line', 'none'],
      default: 'tidy',
      help: 'tidy: trim lines, collapse spaces and tabs, at most one blank line; single-line: every whitespace run becomes one space.',
    },
    lowercase: { kind: 'boolean', default: false },
    minChars: { kind: 'integer', default: 1, min: 0, label: 'Min characters', help: 'Records whose cleaned text (all text fields together) is shorter are dropped; 1 drops empty ones.' },
    maxChars: { kind: 'integer', default: 0, min: 0, label: 'Max characters', help: '0 means no limit.' },
    dedupe: {
      kind: 'enum',
      options: ['exact', 'near', 'none'],
      default: 'exact',
      label: 'Duplicates',
      help: 'Keeps the first of repeated records, across splits in the order train, validation, test. "near" also drops records whose word shingles overlap an earlier one (MinHash).',
    },
    nearThreshold: { kind: 'number', default: 0.8, min: 0.5, max: 1, step: 0.05, label: 'Near-duplicate similarity', help: 'Estimated Jaccard similarity of word shingles at which a record counts as a near duplicate.' },
    shingleWords: { kind: 'integer', default: 3, min: 1, max: 10, help: 'Words per shingle for near-duplicate detection.' },
    dropPatterns: { kind: 'text', default: '', label: 'Drop patterns', help: 'Regular expressions, one per line; a record whose cleaned text matches any is dropped.' },
    patternsIgnoreCase: { kind: 'boolean', default: true, label: 'Patterns ignore case' },
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
  outputFacts: (_p, inputs) => (inputs.dataset?.validationSplit !== undefined ? { dataset: { validationSplit: inputs.dataset.validationSplit } } : {}),
});

export default defineNode(spec, () => import('./run.ts'));

