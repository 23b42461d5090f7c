import { defineNode } from '../sdk/index.ts';
import { parsePatterns } from './patterns.ts';

/** The record fields that hold text to clean and compare. */
const TEXT_FIELDS = ['text', 'prompt', 'response'] as const;

export default defineNode({
  type: 'data.clean',
  version: 1,
  category: 'Data',
  label: 'Clean dataset',
  description:
    'Normalises the text, prompt and response of every record in every split, then drops records that are too short or long, ' +
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
  async run(inputs, params, ctx) {
    const { createHash } = await import('node:crypto');
    const { assertDataset, readSplit, DatasetWriter, SPLITS } = await import('../lib/dataset.ts');
    const { cleanText } = await import('./clean-text.ts');
    const { NearDuplicateIndex, signature } = await import('./minhash.ts');

    const source = assertDataset(inputs.dataset, 'dataset');
    const { patterns, errors } = parsePatterns(params.dropPatterns, params.patternsIgnoreCase);
    if (errors.length) throw new Error(`dropPatterns: invalid regular expression on ${errors[0]}`);
    const options = { normalize: params.normalize, whitespace: params.whitespace, lowercase: params.lowercase };
    // Hash digests, not texts, so the memory for exact de-duplication is a 28-character key per record.
    const seen = new Set<string>();
    const near = params.dedupe === 'near' ? new NearDuplicateIndex(params.nearThreshold) : null;
    const counts = { kept: 0, removedTooShort: 0, removedTooLong: 0, removedRegex: 0, removedDuplicate: 0, removedNearDuplicate: 0 };
    const total = SPLITS.reduce((n, s) => n + (source.splits[s]?.rows ?? 0), 0);
    // Rewritten prompts no longer match their chat template exactly; a chat fine-tune would then store
    // a template its training text does not follow. Cleaning belongs before Chat format.
    const rewrites = params.normalize !== 'none' || params.whitespace !== 'none' || params.lowercase;
    if (rewrites && source.chat) ctx.log.warn('this dataset was already rendered with a chat template; cleaning changes that text, so the template is not passed on. Put Clean dataset before Chat format.');
    const writer = new DatasetWriter(ctx.artifactDir, rewrites ? { ...source, chat: undefined } : source);
    let processed = 0;

    const verdict = (texts: string[]): keyof typeof counts => {
      const length = texts.reduce((n, t) => n + t.length, 0);
      if (length < params.minChars) return 'removedTooShort';
      if (params.maxChars > 0 && length > params.maxChars) return 'removedTooLong';
      if (patterns.some((p) => texts.some((t) => p.test(t)))) return 'removedRegex';
      if (params.dedupe === 'none') return 'kept';
      const key = createHash('sha1').update(JSON.stringify(texts)).digest('base64');
      if (seen.has(key)) return 'removedDuplicate';
      seen.add(key);
      const sig = near && signature(texts.join('\n'), params.shingleWords);
      if (sig && near!.checkAndAdd(sig)) return 'removedNearDuplicate';
      return 'kept';
    };

    try {
      for (const split of SPLITS) {
        for await (const record of readSplit(source, split)) {
          // Absent fields stay absent; keys keep their slot so "a" as text and "a" as prompt differ.
          const texts: string[] = [];
          for (const field of TEXT_FIELDS) {
            const value = record[field];
            if (typeof value === 'string') texts.push((record[field] = cleanText(value, options)));
            else texts.push('');
          }
          const outcome = verdict(texts);
          counts[outcome]++;
          if (outcome === 'kept') await writer.write(split, record);
          if (++processed % 1000 === 0) await ctx.progress({ step: processed, total, metrics: { ...counts } });
        }
      }
    } catch (e) {
      await writer.close().catch(() => undefined);
      throw e;
    }
    const dataset = await writer.close();
    const removed = Object.entries(counts).filter(([k, n]) => k !== 'kept' && n > 0).map(([k, n]) => `${k} ${n}`);
    ctx.log.info(`kept ${counts.kept} of ${processed} records${removed.length ? `; ${removed.join(', ')}` : ''}`);
    if (counts.kept === 0) throw new Error(`every record was removed (${removed.join(', ') || 'the input is empty'}); loosen the rules`);
    return { outputs: { dataset }, metrics: { ...counts } };
  },
});
