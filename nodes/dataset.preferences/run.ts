import { Prng } from '../lib/prng.ts';
import { BadRecords } from '../lib/records/bad-records.ts';
import { openUserText, perMille } from '../lib/text-io.ts';
import { normalisePreference } from '../lib/align/preference-layouts.ts';
import { PreferencesWriter, type PreferenceRecord } from '../lib/align/preferences.ts';
import { syntheticPreferences } from '../lib/align/synthetic-preferences.ts';
import { listSources } from '../dataset.file/sources.ts';
import { readJsonl } from '../dataset.file/read-jsonl.ts';
import { readJson } from '../dataset.file/read-json.ts';
import { readCsv } from '../dataset.file/read-csv.ts';
import type { SourceItem } from '../dataset.file/items.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (_inputs, p, ctx) => {
  const writer = new PreferencesWriter(ctx.artifactDir);
  // A seeded draw per pair, so the same pairs are held out on every run.
  const split = new Prng(ctx.seed + 7);
  const counts = { train: 0, validation: 0 };
  const write = async (r: PreferenceRecord) => {
    const s = split.next() < p.heldOut ? 'validation' : 'train';
    counts[s]++;
    await writer.write(s, r);
  };
  let skipped = 0;
  try {
    if (p.source === 'synthetic') {
      let n = 0;
      for (const r of syntheticPreferences({ task: p.task, count: p.count, digits: p.digits, wordsPerSide: p.wordsPerSide, seed: ctx.seed })) {
        await write(r);
        if (++n % 500 === 0) await ctx.progress({ step: n, total: p.count, metrics: { pairs: n } });
      }
      if (n < p.count) ctx.log.warn(`only ${n} distinct pairs exist for these settings`);
    } else skipped = await readFile();
  } catch (e) {
    await writer.close().catch(() => undefined);
    throw e;
  }

  async function readFile(): Promise<number> {
    const { files } = await listSources(p.file, false);
    const file = files[0]!;
    if (file.format === 'txt') throw new Error(`${file.name}: preference pairs are read from .jsonl, .json or .csv files`);
    const names = { prompt: p.promptField.trim(), chosen: p.chosenField.trim(), rejected: p.rejectedField.trim() };
    const bad = new BadRecords(p.onBadRecord, ctx.log);
    // Checked and re-encoded to UTF-8 on the way: a wrong encoding, a NUL byte or an endless line stops at file:line.
    const { text, file: input } = openUserText(file.path, { name: file.name, encoding: p.encoding, signal: ctx.signal });
    const items: AsyncIterable<SourceItem> =
      file.format === 'jsonl'
        ? readJsonl(text)
        : file.format === 'json'
          ? readJson(text)
          : readCsv(text, { header: true, delimiter: p.csvDelimiter, name: file.name, requiredColumns: [names.chosen, names.rejected] });
    const limit = p.maxRecords > 0 ? p.maxRecords : Infinity;
    let n = 0;
    try {
      for await (const item of items) {
        if ('error' in item) {
          bad.report(file.name, item.line, item.error);
          continue;
        }
        if (!('fields' in item)) continue;
        const pair = normalisePreference(item.fields, names);
        if ('error' in pair) {
          bad.report(file.name, item.line, pair.error);
          continue;
        }
        await write(pair.record);
        if (++n % 2000 === 0) await ctx.progress({ step: perMille(input.bytesRead, file.bytes), total: 1000, metrics: { pairs: n, skipped: bad.count } });
        if (n >= limit) break;
      }
    } finally {
      text.destroy();
      input.destroy();
    }
    bad.summary();
    if (!n) throw new Error(`no preference pairs read from ${file.name}${bad.count ? `; all ${bad.count} records were bad` : ''}`);
    return bad.count;
  }

  const preferences = await writer.close();
  if (!counts.train) throw new Error('every pair was held out; lower "Held out"');
  if (p.heldOut > 0 && !counts.validation) ctx.log.warn('no pair was held out (too few pairs for the fraction); preference accuracy will not be measured on unseen pairs');
  ctx.log.info(`${counts.train} training pairs, ${counts.validation} held out`);
  return { outputs: { preferences }, metrics: { pairs: counts.train + counts.validation, heldOut: counts.validation, skipped } };
};

export default run;
