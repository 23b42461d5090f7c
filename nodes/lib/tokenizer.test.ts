import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.ts';
import { EOS, TextTokenizer, byteLevelBpeJson, trainByteLevelBpe, writeTokenizer } from './tokenizer.ts';

const corpus = readFileSync(new URL('../../examples/data/moby-dick-opening.txt', import.meta.url), 'utf8');

describe('tokenizers', () => {
  it('trains byte-level BPE to the requested vocabulary and round-trips any text exactly', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'corpus.txt'), corpus);
    const path = join(dir, 'tokenizer.json');
    writeTokenizer(path, trainByteLevelBpe([join(dir, 'corpus.txt')], 300, [EOS]));
    const tok = TextTokenizer.fromFile(path);
    expect(tok.vocabSize).toBe(300);
    expect(tok.specials[EOS]).toBe(299);
    const seen = await tok.encode('the whale was white');
    expect(seen.length).toBeLessThan('the whale was white'.length * 0.7); // merges make tokens longer than bytes

    // A corpus with few distinct pairs runs out of merges: the vocabulary is then smaller, never larger.
    writeFileSync(join(dir, 'tiny.txt'), 'abab abab abab\n'.repeat(50));
    writeTokenizer(join(dir, 'tiny.json'), trainByteLevelBpe([join(dir, 'tiny.txt')], 1000, [EOS]));
    expect(TextTokenizer.fromFile(join(dir, 'tiny.json')).vocabSize).toBeLessThan(300);
    for (const text of ['the whale', 'Ünïcödé — 日本語 🐋\ttabs\r\n', '\u0000\u00ff']) {
      expect(await tok.decode(await tok.encode(text))).toBe(text);
    }
  });

  it('byte-level tokenizer has one token per byte', async () => {
    const path = join(tempDir(), 'tokenizer.json');
    writeTokenizer(path, byteLevelBpeJson([], [EOS]));
    const tok = TextTokenizer.fromFile(path);
    expect(tok.vocabSize).toBe(257);
    expect(await tok.encode('héllo')).toHaveLength(6);
    expect(await tok.decode(await tok.encode('héllo 🐋'))).toBe('héllo 🐋');
  });

  it('names the file when a tokenizer.json is broken', () => {
    const path = join(tempDir(), 'tokenizer.json');
    writeFileSync(path, '{"model": ');
    expect(() => TextTokenizer.fromFile(path)).toThrow(/tokenizer\.json: not a readable tokenizer\.json/);
  });
});
