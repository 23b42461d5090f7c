/**
 * Bad encodings are reported, not turned into garbage (issue 10): Latin-1 read as UTF-8 became
 * U+FFFD, UTF-16 and random bytes thousands of junk records, a 600 MB line crashed the worker.
 * Through the two nodes that read user files (dataset.file, text.load) and the decoder itself.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import datasetFile from '../dataset.file/index.ts';
import textLoad from '../text.load/index.ts';
import { readAll, type DatasetHandle } from './dataset.ts';
import { CheckedDecoder } from './text-decode.ts';
import { fakeContext, paramsFor, runNode } from '../../test/fixtures/node-harness.ts';
import { Prng } from './prng.ts';

const contexts: ReturnType<typeof fakeContext>[] = [];
afterEach(() => contexts.splice(0).forEach((c) => c.cleanup()));

function setup() {
  const ctx = fakeContext();
  contexts.push(ctx);
  const write = (name: string, bytes: Uint8Array | string) => {
    const path = join(ctx.root, name);
    writeFileSync(path, bytes);
    return path;
  };
  const dataset = async (params: Record<string, string | number | boolean>) => {
    const result = await runNode(datasetFile, {}, paramsFor(datasetFile, params), ctx);
    return { result, records: await readAll(result.outputs.dataset as DatasetHandle, 'train') };
  };
  const load = async (params: Record<string, string>) => {
    const result = await runNode(textLoad, {}, paramsFor(textLoad, params), ctx);
    return readFileSync((result.outputs.text as { path: string }).path, 'utf8');
  };
  return { write, dataset, load };
}

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const utf16le = (s: string, bom = true) => Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(s, 'utf16le')]);
const utf16be = (s: string) => Buffer.from(utf16le(s, true).swap16());

describe('text encodings', () => {
  it('a Latin-1 CSV is refused at file:line under auto, and read right as latin-1', async () => {
    const { write, dataset } = setup();
    const file = write('menu.csv', latin1('id,text\n1,tea\n2,café crème\n3,naïve\n'));
    await expect(dataset({ file })).rejects.toThrow('menu.csv:3: not valid UTF-8 (byte 0xE9); if the file is Latin-1 or Windows-1252 (older Windows and Excel exports), set Encoding to latin-1');
    const { records } = await dataset({ file, encoding: 'latin-1' });
    expect(records.map((r) => r.text)).toEqual(['tea', 'café crème', 'naïve']);
  });

  it('UTF-16 is read by its byte-order mark (little- or big-endian), or recognised without one', async () => {
    const { write, dataset, load } = setup();
    const lines = ['{"text":"héllo wörld"}', '{"text":"second ✓"}'];
    const le = write('le.jsonl', utf16le(lines.join('\r\n') + '\r\n'));
    expect((await dataset({ file: le })).records.map((r) => r.text)).toEqual(['héllo wörld', 'second ✓']);
    const noBom = write('nobom.txt', utf16le('first line\nsecond line\n', false));
    expect((await dataset({ file: noBom })).records.map((r) => r.text)).toEqual(['first line', 'second line']);
    expect(await load({ file: write('be.txt', utf16be('Grüße\naus Köln\n')) })).toBe('Grüße\naus Köln\n');
    // UTF-16 read as UTF-8 by force: the NUL bytes stop it, with the fix in words.
    await expect(dataset({ file: noBom, encoding: 'utf-8' })).rejects.toThrow('nobom.txt:1: contains a NUL byte: a UTF-16 file without a byte-order mark (set Encoding to utf-16), or not a text file');
  });

  it('random bytes are refused at their first bad line instead of becoming thousands of records', async () => {
    const { write, dataset } = setup();
    const prng = new Prng(7);
    const bytes = new Uint8Array(200_000).map(() => Math.floor(prng.next() * 256));
    await expect(dataset({ file: write('noise.txt', bytes), onBadRecord: 'skip' })).rejects.toThrow(/^noise\.txt:\d+: (not valid UTF-8|contains a NUL byte)/);
  });

  it('text.load reads Latin-1 when told, and refuses it otherwise', async () => {
    const { write, load } = setup();
    const file = write('old.txt', latin1('Ça va?\r\nOui, très bien.\r\n'));
    expect(await load({ file, encoding: 'latin-1' })).toBe('Ça va?\nOui, très bien.\n');
    await expect(load({ file })).rejects.toThrow(`${file}:1: not valid UTF-8 (byte 0xC7)`);
  });

  it('a line longer than the cap stops at file:line (a real 33 MiB line against the 32 MiB cap)', async () => {
    const { write, dataset } = setup();
    const file = write('huge.jsonl', `{"text":"a"}\n{"text":"b"}\n{"text":"${'x'.repeat(33 * 2 ** 20)}"}\n`);
    await expect(dataset({ file })).rejects.toThrow('huge.jsonl:3: a line longer than 32 MiB characters (the most one line may hold); is this a text file? Split such records into smaller ones');
  }, 60_000);

  it('the decoder finds the bad line across chunk boundaries, and cuts a line that spans chunks', () => {
    const decoder = new CheckedDecoder({ name: 'f.txt', maxLineChars: 10 });
    expect(decoder.write(Buffer.from('one\ntwo\nthr'))).toBe('one\ntwo\nthr');
    expect(decoder.write(Buffer.from('ee\n'))).toBe('ee\n');
    expect(() => decoder.write(Buffer.from('123456'))).not.toThrow();
    expect(() => decoder.write(Buffer.from('78901'))).toThrow('f.txt:4: a line longer than 0 MiB');
    const split = new CheckedDecoder({ name: 'g.txt' });
    const euro = Buffer.from('ok\n€\n'); // € is three bytes: cut it between two chunks
    expect(split.write(euro.subarray(0, 4)) + split.write(euro.subarray(4)) + split.end()).toBe('ok\n€\n');
    const bad = new CheckedDecoder({ name: 'h.txt' });
    bad.write(Buffer.from('a\nb\n'));
    expect(() => bad.write(Buffer.from([0x63, 0x0a, 0x64, 0xff, 0x0a]))).toThrow('h.txt:4: not valid UTF-8 (byte 0xFF)');
  });
});
