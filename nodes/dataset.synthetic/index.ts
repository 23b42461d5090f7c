import { defineNode } from '../sdk/index.ts';

type Task = 'addition' | 'reverse-word' | 'sort-letters';

/** Seeded task generators whose success is measurable by exact match. */
function makeExample(task: Task, digits: number, maxWord: number, rng: { int(n: number): number }): { prompt: string; response: string } {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const word = (min: number, max: number) => Array.from({ length: min + rng.int(max - min + 1) }, () => letters[rng.int(26)]!).join('');
  switch (task) {
    case 'addition': {
      const top = 10 ** digits;
      const a = rng.int(top);
      const b = rng.int(top);
      return { prompt: `${a}+${b}=`, response: String(a + b) };
    }
    case 'reverse-word': {
      const w = word(3, maxWord);
      return { prompt: `reverse ${w}`, response: [...w].reverse().join('') };
    }
    case 'sort-letters': {
      const w = word(3, maxWord);
      return { prompt: `sort ${w}`, response: [...w].sort().join('') };
    }
  }
}

export default defineNode({
  type: 'dataset.synthetic',
  version: 1,
  category: 'Data',
  label: 'Synthetic task',
  description: 'Seeded prompt/response pairs for tasks whose success is measurable: two-number addition, reversing a word, sorting letters.',
  inputs: {},
  outputs: { dataset: { type: 'Dataset' } },
  params: {
    task: { kind: 'enum', options: ['addition', 'reverse-word', 'sort-letters'], default: 'addition' },
    count: { kind: 'integer', default: 2000, min: 10, max: 1_000_000 },
    digits: { kind: 'integer', default: 2, min: 1, max: 6, help: 'Addition: digits per operand.' },
    maxWordLength: { kind: 'integer', default: 6, min: 3, max: 12, help: 'Reverse and sort: words have 3 to this many letters.' },
  },
  async run(_inputs, p, ctx) {
    const { Prng } = await import('../lib/prng.ts');
    const { DatasetWriter } = await import('../lib/dataset.ts');
    const rng = new Prng(ctx.seed);
    const writer = new DatasetWriter(ctx.artifactDir);
    const seen = new Set<string>();
    let attempts = 0;
    // Unique prompts, so a held-out split never contains a training question.
    while (seen.size < p.count && attempts++ < p.count * 20) {
      const ex = makeExample(p.task, p.digits, p.maxWordLength, rng);
      if (seen.has(ex.prompt)) continue;
      seen.add(ex.prompt);
      await writer.write('train', ex);
      if (seen.size % 500 === 0) await ctx.progress({ step: seen.size, total: p.count });
    }
    if (seen.size < p.count) ctx.log.warn(`only ${seen.size} distinct examples exist for these settings`);
    const dataset = await writer.close();
    return { outputs: { dataset }, metrics: { records: seen.size } };
  },
});
