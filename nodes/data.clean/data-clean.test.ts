import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import dataClean from './index.ts';
import { cleanText } from './clean-text.ts';
import { readAll, type DataRecord, type SplitName } from '../lib/dataset.ts';
import { fakeContext, paramsFor, runOnRecords } from '../../test/fixtures/node-harness.ts';

const contexts: ReturnType<typeof fakeContext>[] = [];
afterEach(() => contexts.splice(0).forEach((c) => c.cleanup()));

async function runClean(splits: Partial<Record<SplitName, DataRecord[]>>, overrides: Record<string, string | number | boolean> = {}) {
  const { ctx, result, dataset } = await runOnRecords(dataClean, splits, overrides);
  contexts.push(ctx);
  const texts = async (split: SplitName) => (await readAll(dataset, split)).map((r) => r.text);
  return { result, dataset, texts, ctx };
}

describe('data.clean', () => {
  it('normalises and tidies text, then reports how many records each rule removed', async () => {
    const { result, texts, dataset } = await runClean(
      {
        train: [
          { text: '  Hello \t  World  \r\n\r\n\r\n\r\nBye ', label: 'a' },
          { text: 'Hello World\n\nBye', label: 'b' }, // the same once tidied
          { text: '   ' },
          { text: 'hi' },
          { text: 'x'.repeat(50) },
          { text: 'Buy CHEAP pills now' },
          { text: 'cafe\u0301 au lait' },
        ],
        validation: [{ text: 'Hello World\n\nBye' }, { text: 'café au lait' }, { text: 'kept in validation' }],
        test: [{ prompt: 'Q: 2+2?', response: ' 4 ' }, { prompt: 'Q: 2+2?', response: '4' }],
      },
      { minChars: 3, maxChars: 40, dropPatterns: 'cheap\\s+pills\n^spam$' },
    );
    expect(result.metrics).toEqual({ kept: 4, removedTooShort: 2, removedTooLong: 1, removedRegex: 1, removedDuplicate: 4, removedNearDuplicate: 0 });
    expect(await texts('train')).toEqual(['Hello World\n\nBye', 'café au lait']);
    expect(await texts('validation')).toEqual(['kept in validation']);
    expect(await readAll(dataset, 'test')).toEqual([{ prompt: 'Q: 2+2?', response: '4' }]);
    // Other fields travel with the first record kept.
    expect((await readAll(dataset, 'train'))[0]!.label).toBe('a');
  });

  it('treats case as different unless lowercase is on', async () => {
    const records = [{ text: 'The Whale' }, { text: 'the whale' }];
    expect((await runClean({ train: records })).result.metrics?.removedDuplicate).toBe(0);
    const lower = await runClean({ train: records }, { lowercase: true });
    expect(lower.result.metrics?.removedDuplicate).toBe(1);
    expect(await lower.texts('train')).toEqual(['the whale']);
  });

  it('offers NFC, NFKC and single-line whitespace', () => {
    const options = { normalize: 'NFC', whitespace: 'tidy', lowercase: false } as const;
    expect(cleanText('e\u0301\ufb01', options)).toBe('\u00e9\ufb01');
    expect(cleanText('e\u0301\ufb01 ＡＢ', { ...options, normalize: 'NFKC' })).toBe('\u00e9fi AB');
    expect(cleanText(' a \n\n b\tc ', { ...options, whitespace: 'single-line' })).toBe('a b c');
    expect(cleanText(' a \n\n b\tc ', { ...options, whitespace: 'none' })).toBe(' a \n\n b\tc ');
  });

  it('rejects an invalid regular expression in validate(), naming the param and line', () => {
    const problems = dataClean.validate?.(paramsFor(dataClean, { dropPatterns: 'fine\n(unclosed' }), ['dataset']) ?? [];
    expect(problems).toHaveLength(1);
    expect(problems[0]!.param).toBe('dropPatterns');
    expect(problems[0]!.message).toMatch(/^invalid regular expression on line 2: /);
  });

  it('removes near duplicates (one word changed) but no distinct texts', async () => {
    // Seeded pseudo-random documents of 40 words from a 500-word vocabulary: distinct ones share few 3-word shingles.
    let state = 7;
    const rand = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const vocab = Array.from({ length: 500 }, (_, i) => `w${i.toString(36)}x`);
    const doc = () => Array.from({ length: 40 }, () => vocab[Math.floor(rand() * vocab.length)]!);
    const originals = Array.from({ length: 300 }, doc);
    const edited = originals.slice(0, 20).map((words) => {
      const copy = [...words];
      copy[20] = 'changed';
      return copy;
    });
    const { result, texts } = await runClean(
      { train: originals.map((w) => ({ text: w.join(' ') })), test: edited.map((w) => ({ text: w.join(' ') })) },
      { dedupe: 'near', nearThreshold: 0.7 },
    );
    expect(result.metrics).toMatchObject({ kept: 300, removedNearDuplicate: 20, removedDuplicate: 0 });
    expect(await texts('test')).toEqual([]);
  });

  it('fails clearly when every record is removed', async () => {
    await expect(runClean({ train: [{ text: 'a' }, { text: 'b' }] }, { minChars: 5 })).rejects.toThrow('every record was removed (removedTooShort 2)');
  });
});

describe('data.clean: conversations', () => {
  it('cleans every turn of a messages record and compares whole conversations', async () => {
    const convo = (a: string, b: string): DataRecord => ({ messages: [{ role: 'user', content: a }, { role: 'assistant', content: b }] });
    const { result, dataset } = await runClean({ train: [convo('Hi  there', 'Hello'), convo('Hi there', 'Hello'), convo('Hi there', 'Bye'), convo('', '')] }, { whitespace: 'tidy' });
    const rows = await readAll(dataset, 'train');
    expect(rows.map((r) => r.messages!.map((m) => m.content))).toEqual([
      ['Hi there', 'Hello'],
      ['Hi there', 'Bye'],
    ]);
    expect(result.metrics).toMatchObject({ kept: 2, removedDuplicate: 1, removedTooShort: 1 });
  });
});
