import { describe, expect, it } from 'vitest';
import { TextStream } from './text-stream.ts';

/** Token ids are bytes, as in a byte-level tokenizer: a character may take several tokens. */
const bytes = (s: string) => [...new TextEncoder().encode(s)];
const decode = async (ids: number[]) => new TextDecoder().decode(new Uint8Array(ids));

async function run(text: string, stops: string[]) {
  const stream = new TextStream(decode, stops);
  const deltas: string[] = [];
  let stopped = false;
  for (const id of bytes(text)) {
    const r = await stream.push(id);
    if (r.delta) deltas.push(r.delta);
    if (r.stopped) {
      stopped = true;
      break;
    }
  }
  const rest = await stream.finish();
  if (rest) deltas.push(rest);
  return { deltas, stopped };
}

describe('streaming generated text', () => {
  it('never shows half a character, and the pieces add up to the text', async () => {
    const { deltas, stopped } = await run('Whale 🐋 — 鯨, naïve', []);
    expect(deltas.join('')).toBe('Whale 🐋 — 鯨, naïve');
    expect(deltas.some((d) => d.includes('\uFFFD'))).toBe(false);
    expect(deltas.length).toBeGreaterThan(10);
    expect(stopped).toBe(false);
  });

  it('stops before a stop string that spans tokens, and never shows its beginning', async () => {
    const { deltas, stopped } = await run('assistant: fine\nuser: more', ['\nuser:']);
    expect(stopped).toBe(true);
    expect(deltas.join('')).toBe('assistant: fine');
    // "\n" was held back while it could have begun the stop string.
    expect(deltas.some((d) => d.includes('\n'))).toBe(false);
  });

  it('sends text held back for a stop string that never came', async () => {
    const { deltas, stopped } = await run('end of line\nuse', ['\nuser:']);
    expect(stopped).toBe(false);
    expect(deltas.join('')).toBe('end of line\nuse');
  });

  it('picks the earliest of several stop strings', async () => {
    const { deltas } = await run('one. two! three?', ['!', '.']);
    expect(deltas.join('')).toBe('one');
  });
});
