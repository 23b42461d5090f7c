import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import datasetFile from './index.ts';
import { readAll, type DatasetHandle } from '../lib/dataset.ts';
import { fakeContext, paramsFor, runNode } from '../../test/fixtures/node-harness.ts';

const contexts: ReturnType<typeof fakeContext>[] = [];
afterEach(() => contexts.splice(0).forEach((c) => c.cleanup()));

function setup() {
  const ctx = fakeContext();
  contexts.push(ctx);
  const dir = join(ctx.root, 'input');
  mkdirSync(dir);
  const write = (name: string, content: string) => {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
    return path;
  };
  const run = async (overrides: Record<string, string | number | boolean>) => {
    const params = paramsFor(datasetFile, overrides);
    const problems = datasetFile.validate?.(params, []) ?? [];
    if (problems.length) throw new Error(`invalid params: ${JSON.stringify(problems)}`);
    const result = await runNode(datasetFile, {}, params, ctx);
    const dataset = result.outputs.dataset as DatasetHandle;
    return { result, dataset, records: await readAll(dataset, 'train') };
  };
  return { ctx, dir, write, run };
}

describe('dataset.file: CSV', () => {
  it('reads quoted fields holding commas, doubled quotes and line breaks, and maps columns', async () => {
    const { write, run } = setup();
    const file = write(
      'mail.csv',
      'id,body,kind\r\n' + '1,"Hello, world",ham\r\n' + '2,"She said ""hi""\r\nthen left",spam\r\n' + '\r\n' + '3,plain,ham\r\n',
    );
    const { records, dataset, result } = await run({ file, textField: 'body', labelField: 'kind' });
    expect(records).toEqual([
      { text: 'Hello, world', label: 'ham' },
      { text: 'She said "hi"\r\nthen left', label: 'spam' },
      { text: 'plain', label: 'ham' },
    ]);
    expect(dataset.splits.train?.rows).toBe(3);
    expect(dataset.labels).toEqual(['ham', 'spam']);
    expect(result.metrics).toMatchObject({ records: 3, skipped: 0 });
  });

  it('fails on a row with the wrong number of columns, naming file and line (counted after multi-line fields)', async () => {
    const { write, run } = setup();
    const file = write('data.csv', 'a,b,c\n1,"two\nlines",3\n4,5,6\n7,8\n9,10,11\n');
    await expect(run({ file, textField: 'b' })).rejects.toThrow('data.csv:5: expected 3 columns, found 2');
  });

  it('in skip mode counts bad rows, logs them with file:line, and keeps the good ones', async () => {
    const { ctx, write, run } = setup();
    const file = write('data.csv', 'a,b,c\n1,x,3\n4,5\n6,y,8\n9,z,10,11\n12,w,13\n');
    const { records, result } = await run({ file, textField: 'b', onBadRecord: 'skip' });
    expect(records.map((r) => r.text)).toEqual(['x', 'y', 'w']);
    expect(result.metrics?.skipped).toBe(2);
    expect(ctx.logs).toContain('warn: skipped data.csv:3: expected 3 columns, found 2');
    expect(ctx.logs).toContain('warn: skipped data.csv:5: expected 3 columns, found 4');
  });

  it('reports an unterminated quote at the line where the row began', async () => {
    const { ctx, write, run } = setup();
    const file = write('q.csv', 'a,b\n1,ok\n2,"never closed\n3,more\n4,rows\n');
    await expect(run({ file, textField: 'b' })).rejects.toThrow('q.csv:3: unterminated quote');
    const skipped = await run({ file, textField: 'b', onBadRecord: 'skip' });
    expect(skipped.records.map((r) => r.text)).toEqual(['ok']);
    expect(skipped.result.metrics?.skipped).toBe(1);
    expect(ctx.logs.some((l) => l.includes('q.csv:3: unterminated quote') && l.includes('rest of the file was not read'))).toBe(true);
  });

  it('refuses a header that lacks a mapped column, whatever the bad-record mode', async () => {
    const { write, run } = setup();
    const file = write('h.csv', 'title,content\nx,y\n');
    await expect(run({ file, textField: 'body', onBadRecord: 'skip' })).rejects.toThrow('h.csv: no column "body" in the header (columns: title, content)');
  });

  it('names columns 1, 2, … without a header, and reads semicolon-separated files', async () => {
    const { write, run } = setup();
    const file = write('n.csv', 'good;1\nbad;0\n');
    const { records } = await run({ file, csvHeader: false, csvDelimiter: 'semicolon', textField: '1', labelField: '2' });
    expect(records).toEqual([
      { text: 'good', label: '1' },
      { text: 'bad', label: '0' },
    ]);
  });
});

describe('dataset.file: JSONL', () => {
  const lines = ['{"text":"one","tag":"a"}', '', '{"text": "two"', '{"text":"three","tag":"b"}', '{"tag":"c"}', '[1,2]'].join('\n');

  it('fails on an invalid JSON line with file and line', async () => {
    const { write, run } = setup();
    const file = write('d.jsonl', lines);
    await expect(run({ file })).rejects.toThrow(/^d\.jsonl:3: invalid JSON/);
  });

  it('skips invalid lines, missing mapped fields and non-objects, counting each', async () => {
    const { ctx, write, run } = setup();
    const file = write('d.jsonl', lines);
    const { records, result } = await run({ file, onBadRecord: 'skip', keepOtherFields: true });
    expect(records).toEqual([
      { text: 'one', tag: 'a' },
      { text: 'three', tag: 'b' },
    ]);
    expect(result.metrics?.skipped).toBe(3);
    expect(ctx.logs).toContain('warn: skipped d.jsonl:5: missing field "text" (mapped to text)');
    expect(ctx.logs.some((l) => l.startsWith('warn: skipped d.jsonl:6: expected a JSON object'))).toBe(true);
  });

  it('maps prompt/response fields and drops unmapped ones by default', async () => {
    const { write, run } = setup();
    const file = write('chat.jsonl', '{"q":"2+2?","a":"4","meta":{"x":1}}\n');
    const { records } = await run({ file, textField: '', promptField: 'q', responseField: 'a' });
    expect(records).toEqual([{ prompt: '2+2?', response: '4' }]);
  });
});

describe('dataset.file: text and folders', () => {
  it('reads .txt as lines, paragraphs or whole files', async () => {
    const { write, run } = setup();
    const file = write('t.txt', 'first line\nsecond line\n\n\nthird\n');
    expect((await run({ file })).records.map((r) => r.text)).toEqual(['first line', 'second line', 'third']);
    expect((await run({ file, txtRecords: 'paragraph' })).records.map((r) => r.text)).toEqual(['first line\nsecond line', 'third']);
    expect((await run({ file, txtRecords: 'file' })).records.map((r) => r.text)).toEqual(['first line\nsecond line\n\n\nthird\n']);
  });

  it('reads a folder of mixed files in sorted order, recursing, ignoring other types, labelling by folder', async () => {
    const { ctx, dir, write, run } = setup();
    write('ham/a.txt', 'hello mum\n');
    write('ham/b.jsonl', '{"text":"see you at noon"}\n');
    write('spam/c.csv', 'text\nWIN a prize\n"free, money"\n');
    write('spam/notes.md', '# ignored');
    write('.hidden/x.txt', 'ignored too');
    const { records, result } = await run({ source: 'folder', folder: dir, labelFromFolder: true });
    expect(records).toEqual([
      { text: 'hello mum', label: 'ham' },
      { text: 'see you at noon', label: 'ham' },
      { text: 'WIN a prize', label: 'spam' },
      { text: 'free, money', label: 'spam' },
    ]);
    expect(result.metrics).toMatchObject({ files: 3, records: 4 });
    expect(ctx.logs).toContain('info: 1 file(s) of other types ignored');
  });

  it('names the file relative to the folder in bad-record errors', async () => {
    const { dir, write, run } = setup();
    write('a/good.jsonl', '{"text":"ok"}\n');
    write('b/bad.jsonl', '{"text":"ok"}\n{oops}\n');
    await expect(run({ source: 'folder', folder: dir })).rejects.toThrow(/^b\/bad\.jsonl:2: invalid JSON/);
  });

  it('validate() asks for a path and for some text mapping', () => {
    const problems = datasetFile.validate?.(paramsFor(datasetFile, { textField: '' }), []) ?? [];
    expect(problems.map((p) => p.param).sort()).toEqual(['file', 'textField']);
  });
});

describe('dataset.file: large files', () => {
  // JSONL is the format pipelines write; its reader's garbage is small, so growth shows real retention.
  // (A 50 MB CSV measured 32 MiB and a 150 MB one 44 MiB: flat in file size, csv-parse garbage awaiting GC.)
  it('streams a 50 MB JSONL file with memory growth far below the file size', async () => {
    const ctx = fakeContext();
    contexts.push(ctx);
    let peak = 0;
    const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
    const path = join(ctx.root, 'big.jsonl');
    const out = createWriteStream(path);
    let bytes = 0;
    let rows = 0;
    while (bytes < 50 * 2 ** 20) {
      const chunk: string[] = [];
      for (let i = 0; i < 1000; i++, rows++) {
        chunk.push(JSON.stringify({ body: `lorem ipsum dolor sit amet, "quoted" consectetur adipiscing elit sed do eiusmod ${rows}`, label: rows % 2 ? 'odd' : 'even' }));
      }
      const text = chunk.join('\n') + '\n';
      bytes += Buffer.byteLength(text);
      if (!out.write(text)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');

    const before = process.memoryUsage().rss;
    peak = before;
    const params = paramsFor(datasetFile, { file: path, textField: 'body', labelField: 'label' });
    const started = Date.now();
    const result = await runNode(datasetFile, {}, params, { ...ctx, progress: async () => void sample() });
    const seconds = (Date.now() - started) / 1000;
    sample();
    const growthMiB = (peak - before) / 2 ** 20;
    console.log(`50 MB JSONL: ${rows} rows in ${seconds.toFixed(1)} s, peak RSS growth ${growthMiB.toFixed(1)} MiB`);
    expect(result.metrics?.records).toBe(rows);
    expect((result.outputs.dataset as DatasetHandle).labels).toEqual(['even', 'odd']);
    expect(growthMiB).toBeLessThan(16);
  });
});
