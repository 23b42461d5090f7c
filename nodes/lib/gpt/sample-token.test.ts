/**
 * The selection sampler against the sorting sampler it replaced (kept below as the reference): the
 * same seeds draw the same tokens over every setting generation, the playground, the endpoint and RL
 * use; and the draws follow the softmax, with top-k and top-p keeping what they promise.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../prng.ts';
import { sortingSampler } from '../../../test/fixtures/sorting-sampler.ts';
import { sampleToken, type TokenSampling } from './sample-token.ts';

/** Logits of a given spread; `ties` rounds them so many tokens share a value (ties break by id). */
function logitsOf(V: number, spread: number, seed: number, ties = false): Float32Array {
  const rng = new Prng(seed);
  return Float32Array.from({ length: V }, () => (ties ? Math.round(rng.normal() * 2) : rng.normal() * spread));
}

describe('sampleToken', () => {
  it('draws the same tokens as the sorting sampler for the same seeds, over vocabularies, spreads, ties, temperature, top-k and top-p', () => {
    let draws = 0;
    let differ = 0;
    const settings: TokenSampling[] = [];
    for (const temperature of [0, 0.5, 1, 2]) for (const topK of [0, 1, 5, 40]) for (const topP of [1, 0.9, 0.5]) settings.push({ temperature, topK, topP });
    for (const V of [2, 7, 33, 257, 3000]) {
      for (const [k, spread] of [0.1, 1, 6].entries()) {
        for (const ties of [false, true]) {
          const logits = logitsOf(V, spread, V * 31 + k, ties);
          for (const o of settings) {
            const a = new Prng(V + k);
            const b = new Prng(V + k);
            for (let i = 0; i < 6; i++) {
              draws++;
              if (sampleToken(logits, o, a) !== sortingSampler(logits, o, b)) differ++;
            }
          }
        }
      }
    }
    expect(draws).toBe(5 * 3 * 2 * 48 * 6);
    expect(differ).toBe(0);
    // ...and at a real vocabulary's size, with plain temperature sampling (RL's) and the endpoint's top-p.
    const big = logitsOf(50_257, 3, 9);
    for (const o of [{ temperature: 1, topK: 0, topP: 1 }, { temperature: 0.8, topK: 0, topP: 0.95 }, { temperature: 0.7, topK: 40, topP: 0.9 }]) {
      const a = new Prng(5);
      const b = new Prng(5);
      const ours = Array.from({ length: 10 }, () => sampleToken(big, o, a));
      expect(ours).toEqual(Array.from({ length: 10 }, () => sortingSampler(big, o, b)));
    }
  });

  it('follows the softmax at the temperature: frequencies within 4 standard errors of the probabilities', () => {
    const logits = logitsOf(40, 1.5, 2);
    const T = 0.8;
    const w = Array.from(logits, (l) => Math.exp(l / T));
    const z = w.reduce((a, b) => a + b, 0);
    const n = 40_000;
    const counts = new Array<number>(40).fill(0);
    const rng = new Prng(17);
    for (let i = 0; i < n; i++) counts[sampleToken(logits, { temperature: T, topK: 0, topP: 1 }, rng)]!++;
    for (let t = 0; t < 40; t++) {
      const p = w[t]! / z;
      expect(Math.abs(counts[t]! / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n) + 1e-4);
    }
  });

  it('top-k draws only from the k highest logits, top-p only from the smallest set reaching p, greedy takes the highest', () => {
    const logits = logitsOf(5000, 2, 4);
    const ranked = Array.from(logits.keys()).sort((a, b) => logits[b]! - logits[a]!);
    const top10 = new Set(ranked.slice(0, 10));
    const probs = ranked.map((i) => Math.exp(logits[i]! - logits[ranked[0]!]!));
    const z = probs.reduce((a, b) => a + b, 0);
    let cum = 0;
    let nucleus = 0;
    while (cum < 0.5) cum += probs[nucleus++]! / z;
    const inNucleus = new Set(ranked.slice(0, nucleus));
    const rng = new Prng(8);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      expect(top10.has(sampleToken(logits, { temperature: 5, topK: 10, topP: 1 }, rng))).toBe(true);
      const t = sampleToken(logits, { temperature: 1, topK: 0, topP: 0.5 }, rng);
      expect(inNucleus.has(t)).toBe(true);
      seen.add(t);
    }
    // The draws spread over the nucleus, not one token of it.
    expect(nucleus).toBeGreaterThan(3);
    expect(seen.size).toBeGreaterThan(3);
    expect(sampleToken(logits, { temperature: 0, topK: 0, topP: 1 }, rng)).toBe(ranked[0]);
  });
});
