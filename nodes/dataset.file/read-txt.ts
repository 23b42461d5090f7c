import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { SourceItem } from './items.ts';

export type TxtMode = 'line' | 'paragraph' | 'file';

/** "Whole file" keeps one record in memory, so it is refused above this size rather than exhausting memory. */
export const MAX_WHOLE_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Plain text as records: one per non-blank line, one per paragraph (lines up to a blank line), or the
 * whole file as one. Line numbers are where the record starts.
 */
export async function* readTxt(input: Readable, mode: TxtMode, sizeBytes: number): AsyncGenerator<SourceItem> {
  if (mode === 'file') {
    if (sizeBytes > MAX_WHOLE_FILE_BYTES) {
      input.destroy();
      yield { line: 1, error: `file is ${(sizeBytes / 2 ** 20).toFixed(0)} MiB; "whole file" records are limited to 64 MiB (use one record per line or paragraph)` };
      return;
    }
    let text = '';
    input.setEncoding('utf8');
    for await (const chunk of input) text += chunk as string;
    text = text.replace(/^\uFEFF/, '');
    if (text.trim() !== '') yield { line: 1, record: { text } };
    return;
  }
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  let paragraph: string[] = [];
  let paragraphStart = 0;
  for await (const raw of lines) {
    line++;
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    const blank = text.trim() === '';
    if (mode === 'line') {
      if (!blank) yield { line, record: { text } };
      continue;
    }
    if (!blank) {
      if (paragraph.length === 0) paragraphStart = line;
      paragraph.push(text);
    } else if (paragraph.length) {
      yield { line: paragraphStart, record: { text: paragraph.join('\n') } };
      paragraph = [];
    }
  }
  if (paragraph.length) yield { line: paragraphStart, record: { text: paragraph.join('\n') } };
}
