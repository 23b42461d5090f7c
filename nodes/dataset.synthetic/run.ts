import { Prng } from '../lib/prng.ts';
import { randomReview, sentimentWords } from '../lib/align/synthetic-preferences.ts';
import { DatasetWriter } from '../lib/dataset.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

type Task = 'addition' | 'reverse-word' | 'sort-letters' | 'reviews';

/** The reviews use the 40-words-a-side vocabulary that Preference pairs' sentiment task uses by default. */
const REVIEW_WORDS = sentimentWords(40);

/** Seeded task generators whose success is measurable by exact match. */
function makeExample(task: Task, digits: number, maxWord: number, rng: Prng): { prompt: string; response: string } {
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
    case 'reviews':
      return randomReview(rng, REVIEW_WORDS);
    case 'sort-letters': {
      const w = word(3, maxWord);
      return { prompt: `sort ${w}`, response: [...w].sort().join('') };
    }
  }
}

const run: RunOf<typeof spec> = async (_inputs, p, ctx) => {
  const rng = new Prng(ctx.seed);
  const writer = new DatasetWriter(ctx.artifactDir);
  const seen = new Set<string>();
  let attempts = 0;
  // Unique prompts, so a held-out split never contains a training question.
  while (seen.size < p.count && attempts++ < p.count * 20) {
    const ex = makeExample(p.task, p.digits, p.maxWordLength, rng);
    // Reviews share a few prompts: there the whole record must be new.
    const key = p.task === 'reviews' ? ex.prompt + ex.response : ex.prompt;
    if (seen.has(key)) continue;
    seen.add(key);
    await writer.write('train', ex);
    if (seen.size % 500 === 0) await ctx.progress({ step: seen.size, total: p.count });
  }
  if (seen.size < p.count) ctx.log.warn(`only ${seen.size} distinct examples exist for these settings`);
  const dataset = await writer.close();
  return { outputs: { dataset }, metrics: { records: seen.size } };
};

export default run;
