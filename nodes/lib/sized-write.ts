/**
 * A node's own large writes (a model folder, a GGUF file) with the size they are about to take, so
 * a full disk fails the node with "the disk holding <path> is full (needs about N MB)" rather than
 * a bare ENOSPC, and the user knows how much to free. (The run then removes what was half written.)
 */
import { existsSync, statSync } from 'node:fs';
import { explainWriteError } from '../sdk/disk-full.ts';
import { saveModelFolder as saveFolder } from './gpt/io.ts';
import type { Params } from './gpt/model.ts';
import { writeModelGguf as writeGguf } from './gguf/export.ts';

/** Runs a write of about `bytes` at `path`; a full disk fails it naming the disk and the size. */
export async function writingAbout<T>(path: string, bytes: number, write: () => Promise<T> | T): Promise<T> {
  try {
    return await write();
  } catch (err) {
    throw explainWriteError(err, path, bytes);
  }
}

function fileBytes(path: string | undefined): number {
  return path && existsSync(path) ? statSync(path).size : 0;
}

/** Bytes of weights stored at `bytesPerWeight` (float32: 4; GGUF's Q8_0 keeps 34 bytes per 32 weights, Q4_0 18). */
export function weightsBytes(params: Params, bytesPerWeight = 4): number {
  let n = 0;
  for (const v of params.values()) n += v.size;
  return Math.ceil(n * bytesPerWeight);
}

const GGUF_BYTES_PER_WEIGHT: Record<string, number> = { F32: 4, F16: 2, Q8_0: 34 / 32, Q4_0: 18 / 32 };

/** saveModelFolder, failing on a full disk with the folder's size (float32 weights plus the tokenizer). */
export async function saveModelFolder(...args: Parameters<typeof saveFolder>): ReturnType<typeof saveFolder> {
  const [dir, params, , tokenizerPath] = args;
  return writingAbout(dir, weightsBytes(params) + fileBytes(tokenizerPath), () => saveFolder(...args));
}

/** writeModelGguf, failing on a full disk with the file's size at its type (plus the vocabulary). */
export async function writeModelGguf(...args: Parameters<typeof writeGguf>): ReturnType<typeof writeGguf> {
  const [params, , tokenizerPath, path, type] = args;
  return writingAbout(path, weightsBytes(params, GGUF_BYTES_PER_WEIGHT[type] ?? 4) + fileBytes(tokenizerPath), () => writeGguf(...args));
}
