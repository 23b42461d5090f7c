/**
 * Drawing the next token from logits with temperature, top-k and top-p, without sorting the
 * vocabulary. The draw is defined on the tokens in descending order of logit (ties by id), as a
 * full sort would give: the first token whose running probability reaches a uniform number r.
 * That token is found by a weighted quickselect (expected linear time): split the candidates
 * around a pivot, and keep the side where the running sum crosses r. Top-k keeps the k best with a
 * bounded heap and then does exactly what the sorting sampler did on those k; top-p is the same
 * crossing search with the target p, followed by the draw among the tokens kept.
 *
 * Against the sorting sampler this replaced: the same PRNG numbers are used (one per token) and
 * the same token comes out, except when r falls within a few units in the last place of a boundary
 * between two tokens, because probabilities are summed in another order (test: sample-token.test.ts).
 */
import type { Prng } from '../prng.ts';

export interface TokenSampling {
  /** 0 or below: greedy (the highest logit, the lowest id among ties). */
  temperature: number;
  /** Keep only the k highest logits; 0 (or k >= vocabulary) keeps all. */
  topK: number;
  /** Keep the smallest set of best tokens whose probability reaches p; 1 (or 0) keeps all. */
  topP: number;
}

/** Below this many candidates the search sorts them and walks them in order, as the sorting sampler did. */
const SMALL = 32;

// Scratch buffers reused between calls (sampling is synchronous), grown to the largest vocabulary seen.
let probs = new Float64Array(0);
let candidates = new Int32Array(0);

function scratch(n: number): void {
  if (probs.length < n) {
    probs = new Float64Array(n);
    candidates = new Int32Array(n);
  }
}

/** a comes before b in descending order of logit, ties broken by the lower id (a stable sort's order). */
const ahead = (l: ArrayLike<number>, a: number, b: number): boolean => l[a]! > l[b]! || (l[a] === l[b] && a < b);

export function sampleToken(logits: Float32Array, o: TokenSampling, rng: Prng): number {
  const V = logits.length;
  if (o.temperature <= 0) {
    let best = 0;
    for (let i = 1; i < V; i++) if (logits[i]! > logits[best]!) best = i;
    return best;
  }
  if (o.topK > 0 && o.topK < V) return drawFromOrdered(logits, topKOrder(logits, o.topK), o, rng);
  scratch(V);
  let max = -Infinity;
  for (let i = 0; i < V; i++) if (logits[i]! > max) max = logits[i]!;
  let sum = 0;
  for (let i = 0; i < V; i++) sum += probs[i] = Math.exp((logits[i]! - max) / o.temperature);
  for (let i = 0; i < V; i++) probs[i]! /= sum;
  for (let i = 0; i < V; i++) candidates[i] = i;
  if (!(o.topP > 0 && o.topP < 1)) return crossing(logits, candidates, V, probs, rng.next());
  // Nucleus: the best tokens up to the one where the running probability reaches p, renormalised.
  const cut = crossing(logits, candidates, V, probs, o.topP);
  let n = 0;
  let kept = 0;
  for (let i = 0; i < V; i++) {
    if (i === cut || ahead(logits, i, cut)) {
      candidates[n++] = i;
      kept += probs[i]!;
    }
  }
  for (let j = 0; j < n; j++) probs[candidates[j]!]! /= kept;
  return crossing(logits, candidates, n, probs, rng.next());
}

/**
 * The first token, in descending order of logit among candidates[0..n), at which the running sum of
 * p reaches target (the last one when rounding leaves the sum short). Reorders candidates.
 */
function crossing(l: Float32Array, cand: Int32Array, n: number, p: Float64Array, target: number): number {
  let lo = 0;
  let hi = n;
  let r = target;
  while (hi - lo > SMALL) {
    const pivot = medianOfThree(l, cand[lo]!, cand[(lo + hi) >>> 1]!, cand[hi - 1]!);
    // [lo, a): ahead of the pivot; the pivot moved to a; (a, hi): behind it.
    let a = lo;
    let mass = 0;
    for (let i = lo; i < hi; i++) {
      const c = cand[i]!;
      if (ahead(l, c, pivot)) {
        cand[i] = cand[a]!;
        cand[a++] = c;
        mass += p[c]!;
      }
    }
    // (An empty side holds no crossing, even for r = 0, which the pivot then takes.)
    if (a > lo && mass >= r) {
      hi = a;
      continue;
    }
    r -= mass;
    r -= p[pivot]!;
    if (r <= 0) return pivot;
    for (let i = a; i < hi; i++) {
      if (cand[i] === pivot) {
        cand[i] = cand[a]!;
        cand[a] = pivot;
        break;
      }
    }
    lo = a + 1;
  }
  const rest = Array.from(cand.subarray(lo, hi)).sort((a, b) => (ahead(l, a, b) ? -1 : ahead(l, b, a) ? 1 : 0));
  for (const c of rest) {
    r -= p[c]!;
    if (r <= 0) return c;
  }
  // Rounding left the sum short of r: the last token (after a pivot that ended the range, that pivot).
  return rest[rest.length - 1] ?? cand[lo - 1]!;
}

function medianOfThree(l: Float32Array, a: number, b: number, c: number): number {
  if (ahead(l, a, b)) return ahead(l, b, c) ? b : ahead(l, a, c) ? c : a;
  return ahead(l, a, c) ? a : ahead(l, b, c) ? c : b;
}

/** The k best token ids in descending order (ties by id), through a heap of k whose root is the worst kept. */
function topKOrder(l: Float32Array, k: number): number[] {
  const heap = new Int32Array(k);
  let size = 0;
  // Min-heap under `ahead`: a parent is behind (worse than) its children.
  const siftDown = (i: number) => {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < size && ahead(l, heap[worst]!, heap[left]!)) worst = left;
      if (right < size && ahead(l, heap[worst]!, heap[right]!)) worst = right;
      if (worst === i) return;
      const t = heap[i]!;
      heap[i] = heap[worst]!;
      heap[worst] = t;
      i = worst;
    }
  };
  for (let id = 0; id < l.length; id++) {
    if (size < k) {
      let i = size++;
      heap[i] = id;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!ahead(l, heap[parent]!, heap[i]!)) break;
        const t = heap[i]!;
        heap[i] = heap[parent]!;
        heap[parent] = t;
        i = parent;
      }
    } else if (ahead(l, id, heap[0]!)) {
      heap[0] = id;
      siftDown(0);
    }
  }
  return Array.from(heap.subarray(0, size)).sort((a, b) => (ahead(l, a, b) ? -1 : 1));
}

/** The sorting sampler's own arithmetic on a short list already in descending order (top-k kept). */
function drawFromOrdered(logits: Float32Array, order: number[], o: TokenSampling, rng: Prng): number {
  const max = logits[order[0]!]!;
  let p = order.map((i) => Math.exp((logits[i]! - max) / o.temperature));
  let sum = p.reduce((a, b) => a + b, 0);
  p = p.map((x) => x / sum);
  if (o.topP > 0 && o.topP < 1) {
    let cum = 0;
    let keep = 0;
    while (keep < p.length && cum < o.topP) cum += p[keep++]!;
    order = order.slice(0, keep);
    p = p.slice(0, keep);
    sum = p.reduce((a, b) => a + b, 0);
    p = p.map((x) => x / sum);
  }
  let r = rng.next();
  for (let i = 0; i < p.length; i++) {
    r -= p[i]!;
    if (r <= 0) return order[i]!;
  }
  return order[order.length - 1]!;
}
