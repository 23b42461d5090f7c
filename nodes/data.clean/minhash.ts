/**
 * Near-duplicate detection: MinHash signatures over word shingles, with LSH banding to find
 * candidates, each then checked by the signatures' estimated Jaccard similarity. Memory is one
 * signature (NUM_HASHES x 4 bytes) and a few bucket entries per kept record.
 */
export const NUM_HASHES = 64;

/** Fixed seeds, so the same data always keeps the same records. */
const SEEDS = Uint32Array.from({ length: NUM_HASHES }, (_, i) => fmix32(0x9e3779b9 ^ Math.imul(i + 1, 0x85ebca6b)));

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over UTF-16 code units, finalised; good enough to spread shingles. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Signature of a text's k-word shingles; null when it has no words to compare. */
export function signature(text: string, shingleWords: number): Uint32Array | null {
  const w = words(text);
  if (w.length === 0) return null;
  const sig = new Uint32Array(NUM_HASHES).fill(0xffffffff);
  const k = Math.min(shingleWords, w.length);
  for (let i = 0; i + k <= w.length; i++) {
    const base = hashString(w.slice(i, i + k).join(' '));
    for (let j = 0; j < NUM_HASHES; j++) {
      const v = fmix32(base ^ SEEDS[j]!);
      if (v < sig[j]!) sig[j] = v;
    }
  }
  return sig;
}

export function estimatedJaccard(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < NUM_HASHES; i++) if (a[i] === b[i]) same++;
  return same / NUM_HASHES;
}

/**
 * Rows per band: the most rows whose LSH threshold (1/bands)^(1/rows) sits at least 0.1 under the
 * Jaccard threshold, so pairs at the threshold are almost surely candidates; the exact check then
 * removes the extra candidates.
 */
export function bandRows(threshold: number): number {
  let best = 1;
  for (let rows = 1; rows <= NUM_HASHES; rows++) {
    const bands = Math.floor(NUM_HASHES / rows);
    if ((1 / bands) ** (1 / rows) <= threshold - 0.1) best = rows;
  }
  return best;
}

export class NearDuplicateIndex {
  private readonly signatures: Uint32Array[] = [];
  private readonly buckets: Map<number, number[]>[];
  private readonly rows: number;

  constructor(private readonly threshold: number) {
    this.rows = bandRows(threshold);
    this.buckets = Array.from({ length: Math.floor(NUM_HASHES / this.rows) }, () => new Map());
  }

  /** True when sig is near a signature already kept; otherwise keeps it and returns false. */
  checkAndAdd(sig: Uint32Array): boolean {
    const keys = this.buckets.map((_, band) => {
      let h = band;
      for (let r = band * this.rows; r < (band + 1) * this.rows; r++) h = fmix32(h ^ sig[r]!);
      return h;
    });
    for (let band = 0; band < keys.length; band++) {
      for (const other of this.buckets[band]!.get(keys[band]!) ?? []) {
        if (estimatedJaccard(sig, this.signatures[other]!) >= this.threshold) return true;
      }
    }
    const id = this.signatures.push(sig) - 1;
    keys.forEach((key, band) => {
      const bucket = this.buckets[band]!.get(key);
      if (bucket) bucket.push(id);
      else this.buckets[band]!.set(key, [id]);
    });
    return false;
  }
}
