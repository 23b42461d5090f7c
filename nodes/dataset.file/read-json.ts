import type { Readable } from 'node:stream';
import type { SourceItem } from './items.ts';

/** One record of a .json file is held whole while it is parsed; past this it is refused. */
export const MAX_JSON_RECORD_CHARS = 16 * 1024 * 1024;
const STRING_STOP = /["\\]/g;

/**
 * A .json file as records: a JSON array of objects (as Alpaca's alpaca_data.json and many exported
 * datasets are), or objects one after another (JSON Lines under a .json name). Streams: the file is
 * split into its top-level elements by tracking strings and nesting, and each element is parsed
 * alone, so a large array never has to fit in memory and errors name the line an element starts on.
 */
export async function* readJson(input: Readable): AsyncGenerator<SourceItem> {
  input.setEncoding('utf8');
  let line = 1;
  let inArray = false;
  let ended = false;
  // The element being read: its text, the line it starts on, its nesting depth, string state.
  let buf = '';
  let start = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let reading = false;
  let first = true;

  const finish = (): SourceItem => {
    const text = buf;
    const at = start;
    buf = '';
    reading = false;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return { line: at, error: `invalid JSON: ${(e as Error).message}` };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { line: at, error: `expected a JSON object, found ${Array.isArray(value) ? 'an array' : JSON.stringify(value)?.slice(0, 40)}` };
    }
    return { line: at, fields: value as Record<string, unknown> };
  };

  for await (const chunk of input as AsyncIterable<string>) {
    let s = chunk;
    if (first) {
      s = s.replace(/^\uFEFF/, '');
      first = false;
    }
    let from = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      if (reading) {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === '\\') escaped = true;
          else if (c === '"') inString = false;
          else {
            // Most of a file is string contents: jump to the next quote or backslash.
            STRING_STOP.lastIndex = i;
            const stop = STRING_STOP.exec(s);
            i = (stop ? stop.index : s.length) - 1;
          }
        } else if (c === '"') inString = true;
        else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          if (depth === 0) {
            // The array's closing bracket right after a bare value (a number): the value ends here.
            buf += s.slice(from, i);
            yield finish();
            if (inArray && c === ']') ended = true;
            from = i + 1;
            continue;
          }
          depth--;
          if (depth === 0) {
            buf += s.slice(from, i + 1);
            from = i + 1;
            yield finish();
            continue;
          }
        } else if (depth === 0 && (c === ',' || c === '\n' || c === ' ' || c === '\t' || c === '\r')) {
          // A bare value (number, true, null) ends at a separator.
          buf += s.slice(from, i);
          from = i + 1;
          yield finish();
        }
        if (c === '\n') line++;
        if (reading && buf.length + (i - from) > MAX_JSON_RECORD_CHARS) {
          yield { line: start, error: `a record longer than ${MAX_JSON_RECORD_CHARS / 2 ** 20} MiB; the rest of the file was not read` };
          input.destroy();
          return;
        }
        continue;
      }
      if (c === '\n') {
        line++;
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\r' || c === ',') continue;
      if (ended) {
        yield { line, error: 'text after the end of the JSON array; the rest of the file was not read' };
        input.destroy();
        return;
      }
      if (c === '[' && !inArray) {
        inArray = true;
        continue;
      }
      if (c === ']' && inArray) {
        ended = true;
        continue;
      }
      // An element starts.
      reading = true;
      start = line;
      buf = '';
      from = i;
      depth = c === '{' || c === '[' ? 1 : 0;
      inString = c === '"';
      escaped = false;
    }
    if (reading) buf += s.slice(from);
  }
  if (reading) {
    if (depth === 0 && !inString) yield finish();
    else yield { line: start, error: 'the file ends inside this record (unterminated object or string)' };
  } else if (inArray && !ended) {
    yield { line, error: 'the file ends before the JSON array is closed' };
  }
}
