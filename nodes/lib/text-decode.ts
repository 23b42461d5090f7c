/**
 * Decoding of text files as the user chose (or as their byte-order mark says), checked as it goes:
 * bytes that are not valid in the encoding, NUL bytes (UTF-16 read as UTF-8, or a binary file) and
 * a line too long to hold are errors naming file:line, never thousands of garbage records or a
 * worker that runs out of memory. Streams: memory is one chunk plus the line being read.
 */
import { Transform, type Readable } from 'node:stream';

export type TextEncoding = 'auto' | 'utf-8' | 'latin-1' | 'utf-16';
export const TEXT_ENCODINGS: readonly TextEncoding[] = ['auto', 'utf-8', 'latin-1', 'utf-16'];

/** A line longer than this is refused: readers hold a line whole (a 600 MB one crashed the worker). */
export const MAX_LINE_CHARS = 32 * 2 ** 20;

type Resolved = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';
const LABELS: Record<Resolved, string> = { 'utf-8': 'UTF-8', 'windows-1252': 'Latin-1 (Windows-1252)', 'utf-16le': 'UTF-16 (little-endian)', 'utf-16be': 'UTF-16 (big-endian)' };

export interface DecodeOptions {
  /** How the file is named in errors. */
  name: string;
  encoding?: TextEncoding;
  maxLineChars?: number;
}

/** UTF-16 without a byte-order mark: text in the Latin range has a NUL in every other byte. */
function sniffUtf16(head: Uint8Array): Resolved | null {
  const n = Math.min(head.length, 4096) & ~1;
  if (n < 4) return null;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) even++;
    if (head[i + 1] === 0) odd++;
  }
  const pairs = n / 2;
  if (odd > pairs * 0.3 && even < pairs * 0.05) return 'utf-16le';
  if (even > pairs * 0.3 && odd < pairs * 0.05) return 'utf-16be';
  return null;
}

function resolve(choice: TextEncoding, head: Uint8Array): Resolved {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return choice === 'auto' || choice === 'utf-8' ? 'utf-8' : choice === 'latin-1' ? 'windows-1252' : 'utf-8';
  const bom16 = head[0] === 0xff && head[1] === 0xfe ? 'utf-16le' : head[0] === 0xfe && head[1] === 0xff ? 'utf-16be' : null;
  if (choice === 'utf-8') return 'utf-8';
  if (choice === 'latin-1') return 'windows-1252';
  if (choice === 'utf-16') return bom16 ?? sniffUtf16(head) ?? 'utf-16le';
  return bom16 ?? sniffUtf16(head) ?? 'utf-8';
}

/** Offset of the first byte that breaks UTF-8 in `bytes` (a sequence cut by the chunk's end is not an error). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  // Up to three continuation bytes may finish a sequence the previous chunk began.
  while (i < 3 && i < bytes.length && (bytes[i]! & 0xc0) === 0x80) i++;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0) return i;
    for (let k = 1; k < len; k++) {
      if (i + k >= bytes.length) return bytes.length;
      if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    }
    i += len;
  }
  return bytes.length;
}

function countNewlines(bytes: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) n++;
  return n;
}

/** A checked decoder: feed it chunks of bytes, get text; it throws an Error naming file:line. */
export class CheckedDecoder {
  private decoder: TextDecoder | null = null;
  private resolved: Resolved | null = null;
  /** 1-based line the next character belongs to, and the length of that line so far. */
  private line = 1;
  private lineChars = 0;
  private readonly max: number;

  constructor(private readonly options: DecodeOptions) {
    this.max = options.maxLineChars ?? MAX_LINE_CHARS;
  }

  /** The encoding in use, in words (known after the first chunk). */
  get encoding(): string | null {
    return this.resolved && LABELS[this.resolved];
  }

  private fail(line: number, message: string): never {
    throw new Error(`${this.options.name}:${line}: ${message}`);
  }

  write(bytes: Uint8Array): string {
    if (!this.decoder) {
      this.resolved = resolve(this.options.encoding ?? 'auto', bytes);
      this.decoder = new TextDecoder(this.resolved, { fatal: this.resolved !== 'windows-1252' });
    }
    let text: string;
    try {
      text = this.decoder.decode(bytes, { stream: true });
    } catch {
      const at = this.resolved === 'utf-8' ? firstInvalidUtf8(bytes) : bytes.length;
      const line = this.line + countNewlines(bytes, at);
      if (this.resolved === 'utf-8') {
        const byte = bytes[at] === undefined ? '' : ` (byte 0x${bytes[at]!.toString(16).toUpperCase().padStart(2, '0')})`;
        this.fail(line, `not valid UTF-8${byte}; if the file is Latin-1 or Windows-1252 (older Windows and Excel exports), set Encoding to latin-1`);
      }
      this.fail(line, `not valid ${LABELS[this.resolved!]}; check the file's encoding and set Encoding to match`);
    }
    return this.check(text);
  }

  end(): string {
    if (!this.decoder) return '';
    try {
      return this.check(this.decoder.decode());
    } catch (e) {
      if ((e as Error).message.startsWith(`${this.options.name}:`)) throw e;
      return this.fail(this.line, `the file ends in the middle of a ${LABELS[this.resolved!]} character (a cut-off or mislabelled file)`);
    }
  }

  private check(text: string): string {
    if (this.resolved === 'utf-8') {
      const nul = text.indexOf('\0');
      if (nul !== -1) {
        this.fail(this.line + countNewlinesIn(text, nul), 'contains a NUL byte: a UTF-16 file without a byte-order mark (set Encoding to utf-16), or not a text file');
      }
    }
    let from = 0;
    for (let nl = text.indexOf('\n'); ; nl = text.indexOf('\n', from)) {
      const segment = (nl === -1 ? text.length : nl) - from;
      if (this.lineChars + segment > this.max) {
        this.fail(this.line, `a line longer than ${(this.max / 2 ** 20).toFixed(0)} MiB characters (the most one line may hold); is this a text file? Split such records into smaller ones`);
      }
      if (nl === -1) {
        this.lineChars += segment;
        break;
      }
      this.line++;
      this.lineChars = 0;
      from = nl + 1;
    }
    return text;
  }
}

function countNewlinesIn(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * A file stream re-encoded to checked UTF-8 (byte-order mark removed), so every reader downstream
 * (readline, csv-parse, the JSON splitter) works unchanged on any encoding the user chose.
 */
export function decodedStream(input: Readable, options: DecodeOptions): Readable {
  const decoder = new CheckedDecoder(options);
  const out = new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        done(null, Buffer.from(decoder.write(chunk), 'utf8'));
      } catch (e) {
        done(e as Error);
      }
    },
    flush(done) {
      try {
        done(null, Buffer.from(decoder.end(), 'utf8'));
      } catch (e) {
        done(e as Error);
      }
    },
  });
  input.on('error', (e) => out.destroy(e));
  // The consumer stopping early (a record limit, a quote error) must close the file too.
  out.on('close', () => input.destroy());
  return input.pipe(out);
}
