import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { SourceItem } from './items.ts';

/** One JSON object per line; blank lines are allowed and ignored. Streams line by line. */
export async function* readJsonl(input: Readable): AsyncGenerator<SourceItem> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const raw of lines) {
    line++;
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      yield { line, error: `invalid JSON: ${(e as Error).message}` };
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      yield { line, error: `expected a JSON object, found ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}` };
      continue;
    }
    yield { line, fields: value as Record<string, unknown> };
  }
}
