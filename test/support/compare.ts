/**
 * Comparisons tests share: the largest element-wise difference of two arrays (logits, weights) and the
 * tensor names and shapes of a model folder's safetensors files. Light: no tfjs, no engine.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsFile } from '../../nodes/lib/safetensors.ts';

/** The largest |a[i] - b[i]|. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The largest difference over several arrays (e.g. every weight of a model), paired in order. */
export function maxDiffAll(a: ReadonlyArray<ArrayLike<number>>, b: ReadonlyArray<ArrayLike<number>>): number {
  return a.reduce((m, x, i) => Math.max(m, maxDiff(x, b[i]!)), 0);
}

/** Tensor names and shapes of a folder's weights, across shards. */
export function tensorShapes(dir: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.safetensors'))) {
    const file = new SafetensorsFile(join(dir, f));
    for (const [name, e] of file.entries) out[name] = e.shape;
    file.close();
  }
  return out;
}
