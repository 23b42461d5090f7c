import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.ts';
import { DatasetWriter } from './dataset.ts';
import { tokenStream, unigramCrossEntropy } from './token-stream.ts';
import { MemoryTokens } from './token-source.ts';
import { EOS, TextTokenizer, byteLevelBpeJson, writeTokenizer } from './tokenizer.ts';

describe('token streams', () => {
  it('tokenizes a split into a file read by windows, documents separated by end-of-text, reused on resume', async () => {
    const dir = tempDir();
    writeTokenizer(join(dir, 'tok.json'), byteLevelBpeJson([], [EOS]));
    const tok = TextTokenizer.fromFile(join(dir, 'tok.json'));
    const writer = new DatasetWriter(dir);
    const texts = Array.from({ length: 700 }, (_, i) => `record ${i}: the whale`);
    for (const text of texts) await writer.write('train', { text });
    const dataset = await writer.close();
    const out = tempDir();
    const stream = (await tokenStream(tok, dataset, 'train', out))!;
    const expected = (await tok.encodeBatch(texts)).flatMap((ids) => [...ids, tok.specials[EOS]!]);
    expect(expected.length).toBe(texts.reduce((n, t) => n + Buffer.byteLength(t) + 1, 0)); // byte-level: one token a byte
    expect(stream.length).toBe(expected.length);
    expect(statSync(join(out, 'train.tokens')).size).toBe(expected.length * 4);
    expect([...stream.read(0, 20)]).toEqual(expected.slice(0, 20));
    expect([...stream.read(5000, 64)]).toEqual(expected.slice(5000, 5064));
    expect(stream.read(expected.length - 3, 10)).toHaveLength(3);
    stream.close();
    const mtime = statSync(join(out, 'train.tokens')).mtimeMs;
    (await tokenStream(tok, dataset, 'train', out))!.close();
    expect(statSync(join(out, 'train.tokens')).mtimeMs).toBe(mtime);
    expect(await tokenStream(tok, dataset, 'validation', out)).toBeUndefined();
  });

  it('computes the unigram baseline chunk by chunk', () => {
    const train = new MemoryTokens(Int32Array.from([0, 0, 0, 1]));
    // Add-one smoothing over a vocabulary of 2: p(0) = 4/6, p(1) = 2/6.
    expect(unigramCrossEntropy(train, new MemoryTokens(Int32Array.from([0, 1])), 2)).toBeCloseTo(-(Math.log(4 / 6) + Math.log(2 / 6)) / 2, 10);
  });
});
