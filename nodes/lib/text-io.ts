import { createReadStream, createWriteStream, statSync, type ReadStream } from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { CheckedDecoder, decodedStream, type TextEncoding } from './text-decode.ts';
import { explainWriteError } from '../sdk/disk-full.ts';

/**
 * The Encoding param every node that reads a user's text file offers (a spec's params entry), so
 * all of them read the same encodings and say the same about them.
 */
export function encodingParam(what = 'the file') {
  return {
    kind: 'enum' as const,
    options: ['auto', 'utf-8', 'latin-1', 'utf-16'] as const,
    default: 'auto' as const,
    label: 'Encoding',
    help: `How ${what} stores its characters. Auto reads UTF-8, or UTF-16 when a file starts with a byte-order mark or looks like UTF-16; choose latin-1 for older Windows and Excel exports. Bytes that do not fit, NUL bytes and lines over 32 MiB stop the run with file:line.`,
  };
}

/**
 * A user's text file as a stream of checked UTF-8 for line, CSV and JSON readers: decoded as
 * `encoding` says, with bad bytes, NUL bytes and lines over `maxLineChars` (32 MiB by default)
 * stopping the read at file:line. `file` is the raw stream, for bytes read (progress).
 */
export function openUserText(path: string, options: { name: string; encoding?: TextEncoding; signal?: AbortSignal; maxLineChars?: number }): { text: Readable; file: ReadStream } {
  const file = createReadStream(path, { highWaterMark: 1 << 16, signal: options.signal });
  const text = decodedStream(file, { name: options.name, encoding: options.encoding, ...(options.maxLineChars !== undefined ? { maxLineChars: options.maxLineChars } : {}) });
  return { text, file };
}

/**
 * Streams a text file chunk by chunk (never whole into memory), reporting bytes read, so a 1 GB
 * corpus costs a buffer, not a gigabyte. Decoded as `encoding` says (UTF-8 unless a byte-order
 * mark says otherwise, by default) and checked: bad bytes, NULs and overlong lines are errors
 * naming file:line.
 */
export async function* readTextChunks(path: string, signal?: AbortSignal, options: { encoding?: TextEncoding; name?: string } = {}): AsyncGenerator<{ text: string; bytesRead: number; totalBytes: number }> {
  const totalBytes = statSync(path).size;
  const decoder = new CheckedDecoder({ name: options.name ?? path, encoding: options.encoding });
  let bytesRead = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) {
    bytesRead += (chunk as Buffer).length;
    yield { text: decoder.write(chunk as Buffer), bytesRead, totalBytes };
  }
  const rest = decoder.end();
  if (rest) yield { text: rest, bytesRead, totalBytes };
}

/**
 * Writes text through a stream, respecting backpressure. `expectedBytes` (what the node is about to
 * write, e.g. the size of the file it reads) lets a full disk fail with "needs about N MB".
 */
export function textWriter(path: string, options: { expectedBytes?: number } = {}) {
  const stream = createWriteStream(path, { encoding: 'utf8' });
  let chars = 0;
  const explained = (err: unknown) => explainWriteError(err, path, options.expectedBytes);
  return {
    async write(text: string) {
      chars += text.length;
      try {
        if (!stream.write(text)) await once(stream, 'drain');
      } catch (err) {
        throw explained(err);
      }
    },
    async close(): Promise<number> {
      stream.end();
      try {
        await once(stream, 'finish');
      } catch (err) {
        throw explained(err);
      }
      return chars;
    },
  };
}

/** Progress in whole per-mille of bytes, so every node reports on the same 0..1000 scale. */
export function perMille(bytesRead: number, totalBytes: number): number {
  return totalBytes === 0 ? 1000 : Math.min(1000, Math.floor((bytesRead / totalBytes) * 1000));
}

/** Non-blank lines from 1-based line `from` to the end of a file, counted in a stream (for what a reader had to leave unread). */
export async function countLinesFrom(path: string, from: number): Promise<number> {
  let line = 1;
  let count = 0;
  let blank = true;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    for (const byte of chunk as Buffer) {
      if (byte === 0x0a) {
        if (line >= from && !blank) count++;
        line++;
        blank = true;
      } else if (blank && byte !== 0x0d && byte !== 0x20 && byte !== 0x09) blank = false;
    }
  }
  if (line >= from && !blank) count++;
  return count;
}
