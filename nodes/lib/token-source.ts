/**
 * Token streams for training, readable by window. Large splits live in a file of little-endian
 * int32 tokens read a window at a time, so a corpus of any size trains in bounded memory; small
 * ones (fine-tuning sets, tests) stay in memory.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

export interface TokenSource {
  readonly length: number;
  /** Tokens [offset, offset+count). */
  read(offset: number, count: number): Int32Array;
  /** Loss weights for the same window, when only some tokens are learned (fine-tuning). */
  weights?(offset: number, count: number): Float32Array;
}

export class MemoryTokens implements TokenSource {
  constructor(
    readonly ids: Int32Array,
    private readonly lossWeights?: Float32Array,
  ) {}

  get length(): number {
    return this.ids.length;
  }

  read(offset: number, count: number): Int32Array {
    return this.ids.subarray(offset, offset + count);
  }

  get weights(): TokenSource['weights'] {
    const w = this.lossWeights;
    return w ? (offset, count) => w.subarray(offset, offset + count) : undefined;
  }
}

export class FileTokens implements TokenSource {
  readonly length: number;
  private readonly fd: number;

  constructor(readonly path: string) {
    this.length = statSync(path).size / 4;
    this.fd = openSync(path, 'r');
  }

  read(offset: number, count: number): Int32Array {
    const n = Math.max(0, Math.min(count, this.length - offset));
    const buf = Buffer.alloc(n * 4);
    if (n) readSync(this.fd, buf, 0, n * 4, offset * 4);
    return new Int32Array(buf.buffer, buf.byteOffset, n);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Calls fn on consecutive chunks of the source, never holding more than one chunk. */
export function forEachChunk(source: TokenSource, fn: (chunk: Int32Array) => void, chunk = 1 << 20): void {
  for (let off = 0; off < source.length; off += chunk) fn(source.read(off, chunk));
}
