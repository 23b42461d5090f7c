import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import datasetPreferences from './index.ts';
import { readPreferences, type PreferenceRecord } from '../lib/align/preferences.ts';
import { afinnScore } from '../lib/align/synthetic-preferences.ts';
import type { PreferencesHandle } from '../sdk/index.ts';
import { fakeContext, paramsFor, runNode } from '../../test/fixtures/node-harness.ts';

const contexts: ReturnType<typeof fakeContext>[] = [];
afterEach(() => contexts.splice(0).forEach((c) => c.cleanup()));

async function run(overrides: Record<string, string | number | boolean>, files: Record<string, string | Buffer> = {}) {
  const ctx = fakeContext();
  contexts.push(ctx);
  const dir = join(ctx.root, 'input');
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const params = paramsFor(datasetPreferences, { heldOut: 0.01, ...overrides, ...(overrides.file ? { file: join(dir, String(overrides.file)) } : {}) });
  const problems = datasetPreferences.validate?.(params, []) ?? [];
  if (problems.length) throw new Error(`invalid params: ${JSON.stringify(problems)}`);
  const result = await runNode(datasetPreferences, {}, params, ctx);
  const handle = result.outputs.preferences as PreferencesHandle;
  const all = [...(await readPreferences(handle, 'train')), ...(await readPreferences(handle, 'validation'))];
  return { ctx, result, handle, all };
}

const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const byPrompt = (rows: PreferenceRecord[]) => [...rows].sort((a, b) => JSON.stringify(a.prompt).localeCompare(JSON.stringify(b.prompt)));

describe('dataset.preferences: files', () => {
  it('reads prompt/chosen/rejected strings from JSONL', async () => {
    const { all } = await run({ file: 'p.jsonl' }, { 'p.jsonl': jsonl([{ prompt: '1+1=', chosen: '2', rejected: '3' }, { prompt: '2+2=', chosen: '4', rejected: '5', id: 7 }]) });
    expect(byPrompt(all)).toEqual([{ prompt: '1+1=', chosen: '2', rejected: '3' }, { prompt: '2+2=', chosen: '4', rejected: '5' }]);
    const array = await run({ file: 'p.json' }, { 'p.json': JSON.stringify([{ prompt: 'a', chosen: 'b', rejected: 'c' }]) });
    expect(array.all).toEqual([{ prompt: 'a', chosen: 'b', rejected: 'c' }]);
  });

  it('reads message lists: an explicit prompt, or the turns chosen and rejected share (TRL conversational)', async () => {
    const user = { role: 'user' as const, content: 'Say hi' };
    const { all } = await run(
      { file: 'm.jsonl' },
      {
        'm.jsonl': jsonl([
          { prompt: [user], chosen: [{ role: 'assistant', content: 'Hi!' }], rejected: [{ role: 'assistant', content: 'No.' }] },
          { chosen: [{ role: 'user', content: 'Say bye' }, { role: 'assistant', content: 'Bye!' }], rejected: [{ role: 'user', content: 'Say bye' }, { role: 'assistant', content: 'Go away.' }] },
          // ShareGPT-style turns are understood too.
          { prompt: 'Count', chosen: [{ from: 'gpt', value: '1 2 3' }], rejected: [{ from: 'gpt', value: 'a b' }] },
        ]),
      },
    );
    expect(byPrompt(all)).toEqual(
      byPrompt([
        { prompt: [user], chosen: 'Hi!', rejected: 'No.' },
        { prompt: [{ role: 'user', content: 'Say bye' }], chosen: 'Bye!', rejected: 'Go away.' },
        { prompt: [{ role: 'user', content: 'Count' }], chosen: '1 2 3', rejected: 'a b' },
      ]),
    );
  });

  it('takes the shared beginning as the prompt when there is no prompt field (Anthropic HH layout)', async () => {
    const { all } = await run(
      { file: 'hh.jsonl' },
      { 'hh.jsonl': jsonl([{ chosen: '\n\nHuman: Is the sky blue?\n\nAssistant: Yes, on a clear day.', rejected: '\n\nHuman: Is the sky blue?\n\nAssistant: Yesterday it was.' }]) },
    );
    expect(all).toEqual([{ prompt: '\n\nHuman: Is the sky blue?\n\nAssistant: ', chosen: 'Yes, on a clear day.', rejected: 'Yesterday it was.' }]);
  });

  it('reads CSV, with text cells or message lists as JSON text, and custom column names', async () => {
    const csv = 'question,good,bad\n' + '"Hi, there",Hello,"Go ""away"""\n' + `x,"${JSON.stringify([{ role: 'assistant', content: 'ok' }]).replace(/"/g, '""')}","${JSON.stringify([{ role: 'assistant', content: 'no' }]).replace(/"/g, '""')}"\n`;
    const { all } = await run({ file: 'p.csv', promptField: 'question', chosenField: 'good', rejectedField: 'bad' }, { 'p.csv': csv });
    expect(byPrompt(all)).toEqual(byPrompt([{ prompt: 'Hi, there', chosen: 'Hello', rejected: 'Go "away"' }, { prompt: [{ role: 'user', content: 'x' }], chosen: 'ok', rejected: 'no' }]));
  });

  it('names the file and line of a bad record, or skips and counts it', async () => {
    const text = jsonl([{ prompt: 'a', chosen: 'b', rejected: 'c' }]) + '{not json\n' + jsonl([{ prompt: 'a', chosen: 'b' }, { prompt: 'd', chosen: [{ role: 'user', content: 'x' }], rejected: [{ role: 'assistant', content: 'y' }] }, { prompt: 'e', chosen: 'f', rejected: 'g' }]);
    await expect(run({ file: 'bad.jsonl' }, { 'bad.jsonl': text })).rejects.toThrow(/^bad\.jsonl:2: invalid JSON/);
    const skipped = await run({ file: 'bad.jsonl', onBadRecord: 'skip' }, { 'bad.jsonl': text });
    expect(skipped.result.metrics).toMatchObject({ pairs: 2, skipped: 3 });
    expect(skipped.ctx.logs.join('\n')).toMatch(/bad\.jsonl:3: no "rejected" field/);
    expect(skipped.ctx.logs.join('\n')).toMatch(/bad\.jsonl:4: "chosen" must end in one assistant message/);
    const csv = 'prompt,chosen,rejected\na,b,c\nd,e\n';
    await expect(run({ file: 'bad.csv' }, { 'bad.csv': csv })).rejects.toThrow(/^bad\.csv:3: expected 3 columns, found 2/);
  });
});

describe('dataset.preferences: encodings and hostile files', () => {
  const pairs = [
    { prompt: 'Café crème?', chosen: 'Oui très bien.', rejected: 'Non.' },
    { prompt: 'Naïve?', chosen: 'Déjà vu.', rejected: 'No.' },
  ];
  const csv = 'prompt,chosen,rejected\n' + pairs.map((p) => [p.prompt, p.chosen, p.rejected].join(',')).join('\n') + '\n';

  it('reads a Latin-1 CSV with Encoding latin-1, and refuses it as UTF-8 naming file:line', async () => {
    const latin1 = Buffer.from(csv, 'latin1');
    const { all } = await run({ file: 'p.csv', encoding: 'latin-1' }, { 'p.csv': latin1 });
    expect(byPrompt(all)).toEqual(byPrompt(pairs));
    await expect(run({ file: 'p.csv', encoding: 'auto' }, { 'p.csv': latin1 })).rejects.toThrow(/^p\.csv:2: not valid UTF-8 \(byte 0xE9\).*set Encoding to latin-1/);
  });

  it('reads UTF-16 JSONL (with a byte-order mark, or chosen) as the same pairs', async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(jsonl(pairs), 'utf16le')]);
    expect(byPrompt((await run({ file: 'p.jsonl' }, { 'p.jsonl': le })).all)).toEqual(byPrompt(pairs));
    const bare = Buffer.from(jsonl(pairs), 'utf16le');
    expect(byPrompt((await run({ file: 'p.jsonl', encoding: 'utf-16' }, { 'p.jsonl': bare })).all)).toEqual(byPrompt(pairs));
  });

  it('stops at a NUL byte and at a line over 32 MiB, naming file:line, even when bad records are skipped', async () => {
    // A NUL byte in the third line (as a binary file or UTF-16 read as UTF-8 has).
    const nul = Buffer.concat([Buffer.from(jsonl(pairs)), Buffer.from('{"prompt":"a'), Buffer.from([0]), Buffer.from('","chosen":"b","rejected":"c"}\n')]);
    await expect(run({ file: 'p.jsonl', encoding: 'utf-8', onBadRecord: 'skip' }, { 'p.jsonl': nul })).rejects.toThrow(/^p\.jsonl:3: contains a NUL byte/);
    const long = jsonl(pairs) + JSON.stringify({ prompt: 'x'.repeat(33 * 2 ** 20), chosen: 'a', rejected: 'b' }) + '\n';
    await expect(run({ file: 'p.jsonl', onBadRecord: 'skip' }, { 'p.jsonl': long })).rejects.toThrow(/^p\.jsonl:3: a line longer than 32 MiB/);
  }, 60_000);
});

describe('dataset.preferences: synthetic', () => {
  it('arithmetic: the chosen answer is the sum, the rejected one is wrong; a held-out split with distinct prompts', async () => {
    const { handle, all, result } = await run({ source: 'synthetic', task: 'arithmetic', count: 300, heldOut: 0.2 });
    expect(all).toHaveLength(300);
    for (const r of all) {
      const [a, b] = (r.prompt as string).slice(0, -1).split('+').map(Number);
      expect(Number(r.chosen)).toBe(a! + b!);
      expect(Number(r.rejected)).not.toBe(a! + b!);
    }
    expect(handle.splits.validation!.rows).toBeGreaterThan(30);
    expect(handle.splits.validation!.rows).toBeLessThan(90);
    expect(result.metrics!.heldOut).toBe(handle.splits.validation!.rows);
    const train = new Set((await readPreferences(handle, 'train')).map((r) => r.prompt));
    expect((await readPreferences(handle, 'validation')).some((r) => train.has(r.prompt))).toBe(false);
  });

  it('sentiment: the chosen review scores higher with the AFINN lexicon', async () => {
    const { all } = await run({ source: 'synthetic', task: 'sentiment', count: 100 });
    expect(all).toHaveLength(100);
    for (const r of all) expect(afinnScore(r.chosen)).toBeGreaterThan(afinnScore(r.rejected));
    // Not simply all-positive against all-negative: some chosen reviews hold a negative word.
    expect(all.some((r) => afinnScore(r.chosen.split(',')[0]!) < 0)).toBe(true);
  });

  it("the Synthetic task's reviews use the sentiment pairs' vocabulary, so a model can be fine-tuned on reviews first", async () => {
    const { default: datasetSynthetic } = await import('../dataset.synthetic/index.ts');
    const { readAll } = await import('../lib/dataset.ts');
    const ctx = fakeContext();
    contexts.push(ctx);
    const result = await runNode(datasetSynthetic, {}, paramsFor(datasetSynthetic, { task: 'reviews', count: 200 }), ctx);
    const reviews = await readAll(result.outputs.dataset as never, 'train');
    expect(new Set(reviews.map((r) => `${r.prompt}${r.response}`)).size).toBe(200);
    const words = (t: string) => t.match(/[a-z]+/g)!.filter((w) => w !== 'and');
    const { all } = await run({ source: 'synthetic', task: 'sentiment', count: 200 });
    const vocabulary = new Set(all.flatMap((r) => [...words(r.chosen), ...words(r.rejected)]));
    expect(reviews.every((r) => words(String(r.response)).every((w) => vocabulary.has(w)))).toBe(true);
  });

  it('refuses before the run: no file, no held-out pairs', () => {
    const problems = datasetPreferences.validate!(paramsFor(datasetPreferences, { heldOut: 0 }) as never, []);
    expect(problems.map((p) => p.param).sort()).toEqual(['file', 'heldOut']);
  });
});
