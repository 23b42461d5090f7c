import { parsePatterns } from './patterns.ts';
import { createHash } from 'node:crypto';
import { withSplitFiles, readSplit, DatasetWriter, SPLITS } from '../lib/dataset.ts';
import { cleanText } from './clean-text.ts';
import { NearDuplicateIndex, signature } from './minhash.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

/** The record fields that hold text to clean and compare. */
const TEXT_FIELDS = ['text', 'prompt', 'response'] as const;

const run: RunOf<typeof spec> = async (inputs, params, ctx) => {
  const source = withSplitFiles(inputs.dataset);
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
        // A conversation (chat layouts of Dataset from files): each turn's content is cleaned, and the
        // turns together are compared, as one more text slot.
        if (Array.isArray(record.messages)) {
          record.messages = record.messages.map((m) => (typeof m?.content === 'string' ? { ...m, content: cleanText(m.content, options) } : m));
          texts.push(record.messages.map((m) => String(m?.content ?? '')).filter(Boolean).join('\n'));
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
};

export default run;
