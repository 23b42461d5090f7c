import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
    // Lines 3, 4 and 5 were never read: all three count as skipped, not just the row with the quote.
    expect(skipped.result.metrics?.skipped).toBe(3);
    expect(ctx.logs).toContain('warn: skipped q.csv:3: unterminated quote in the row starting here; the rest of the file was not read: 3 line(s) left out, counted as skipped');
  });

  it('counts every row an unterminated quote left unread as skipped (60 rows, quote in row 10)', async () => {
    const { ctx, write, run } = setup();
    const rows = Array.from({ length: 60 }, (_, i) => (i === 9 ? `${i},"broken` : `${i},row ${i}`));
    const file = write('sixty.csv', ['n,text', ...rows, ''].join('\n'));
    const { result, records } = await run({ file, onBadRecord: 'skip' });
    expect(records).toHaveLength(9);
    expect(result.metrics).toMatchObject({ records: 9, skipped: 51 });
    expect(records.length + (result.metrics?.skipped ?? 0)).toBe(60);
    expect(ctx.logs).toContain('warn: 51 bad record(s) skipped in total');
  });

  it('keeps the rows before a stray quote (parsed in the same chunk as the error) and counts the rest as skipped', async () => {
    const { write, run } = setup();
    const rows = Array.from({ length: 40 }, (_, i) => (i === 8 ? `row ${i + 1} "stray,ham` : `row ${i + 1},${i % 2 ? 'spam' : 'ham'}`));
    const file = write('stray.csv', ['text,label', ...rows, ''].join('\n'));
    const { result, records } = await run({ file, onBadRecord: 'skip' });
    expect(records.map((r) => r.text)).toEqual(Array.from({ length: 8 }, (_, i) => `row ${i + 1}`));
    expect(result.metrics).toMatchObject({ records: 8, skipped: 32 });
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
    expect(ctx.logs).toContain('warn: skipped d.jsonl:5: missing field "text" (mapped to text); fields found: tag');
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

describe('dataset.file: fine-tuning layouts', () => {
  const example = (name: string) => fileURLToPath(new URL(`../../examples/data/${name}`, import.meta.url));

  it('recognises chat messages with a system turn and keeps every turn', async () => {
    const { ctx, run } = setup();
    const { records, dataset } = await run({ file: example('chat-messages.jsonl') });
    expect(records).toHaveLength(4);
    expect(records[0]).toEqual({
      messages: [
        { role: 'system', content: 'You are a concise assistant.' },
        { role: 'user', content: 'What is the capital of France?' },
        { role: 'assistant', content: 'Paris.' },
        { role: 'user', content: 'And of Italy?' },
        { role: 'assistant', content: 'Rome.' },
      ],
    });
    expect(dataset.layouts).toEqual(['messages']);
    expect(dataset.fields).toEqual(['messages']);
    expect(ctx.logs).toContain('info: chat-messages.jsonl: chat messages (role/content)');
  });

  it('recognises ShareGPT conversations (from/value: human, gpt, system)', async () => {
    const { run } = setup();
    const { records, dataset } = await run({ file: example('sharegpt.jsonl') });
    expect(records[0]!.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi!' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: 'What is 2+2?' },
      { role: 'assistant', content: '4.' },
    ]);
    expect(dataset.layouts).toEqual(['sharegpt']);
  });

  it('recognises Alpaca: the input joins the instruction after a blank line when there is one', async () => {
    const { run } = setup();
    const { records, dataset } = await run({ file: example('alpaca.jsonl') });
    expect(records.slice(0, 2)).toEqual([
      { messages: [{ role: 'user', content: 'Give the plural of the word.\n\nmouse' }, { role: 'assistant', content: 'mice' }] },
      { messages: [{ role: 'user', content: 'Name a primary colour.' }, { role: 'assistant', content: 'Red.' }] },
    ]);
    expect(dataset.layouts).toEqual(['alpaca']);
  });

  it('recognises prompt/completion and prompt/response pairs (with an optional system), in JSONL and CSV', async () => {
    const { write, run } = setup();
    const pc = await run({ file: example('prompt-completion.jsonl') });
    expect(pc.records[0]).toEqual({ messages: [{ role: 'user', content: 'The opposite of day is' }, { role: 'assistant', content: ' night.' }] });
    expect(pc.dataset.layouts).toEqual(['prompt-completion']);
    const pr = await run({ file: write('pr.jsonl', '{"system":"Be kind.","prompt":"Hi","response":"Hello","id":7}\n'), keepOtherFields: true });
    expect(pr.records).toEqual([{ id: 7, messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }] }]);
    expect(pr.dataset.layouts).toEqual(['prompt-response']);
    const csv = await run({ file: write('alpaca.csv', 'instruction,input,output,kind\nDouble it,4,8,math\nSay hi,,hi,chat\n'), labelField: 'kind' });
    expect(csv.records).toEqual([
      { messages: [{ role: 'user', content: 'Double it\n\n4' }, { role: 'assistant', content: '8' }], label: 'math' },
      { messages: [{ role: 'user', content: 'Say hi' }, { role: 'assistant', content: 'hi' }], label: 'chat' },
    ]);
    expect(csv.dataset.layouts).toEqual(['alpaca']);
  });

  it('reads plain text as before, and a chosen layout over a custom messages key', async () => {
    const { write, run } = setup();
    const txt = await run({ file: write('t.txt', 'one\ntwo\n') });
    expect(txt.records).toEqual([{ text: 'one' }, { text: 'two' }]);
    expect(txt.dataset.layouts).toEqual(['text']);
    const jsonText = await run({ file: write('t.jsonl', '{"text":"three"}\n') });
    expect(jsonText.dataset.layouts).toEqual(['text']);
    const custom = await run({ file: write('d.jsonl', '{"dialog":[{"from":"human","value":"a"},{"from":"gpt","value":"b"}]}\n'), layout: 'sharegpt', messagesField: 'dialog' });
    expect(custom.records).toEqual([{ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] }]);
    // A messages list given as OpenAI content parts.
    const parts = await run({ file: write('p.jsonl', '{"messages":[{"role":"user","content":[{"type":"text","text":"x"},{"type":"text","text":"y"}]},{"role":"assistant","content":"z"}]}\n') });
    expect(parts.records[0]!.messages).toEqual([{ role: 'user', content: 'xy' }, { role: 'assistant', content: 'z' }]);
  });

  it('a record missing the layout\'s fields names file:line and the fields it has, and obeys skip/fail', async () => {
    const { ctx, write, run } = setup();
    const lines = [
      '{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}',
      '{"msgs":[],"id":2,"source":"web"}',
      '{"messages":[{"role":"user","content":"q2"},{"role":"narrator","content":"x"}]}',
      '{"messages":[{"role":"user","content":"q3"},{"role":"assistant","content":"a3"}]}',
    ].join('\n');
    const file = write('chat.jsonl', lines);
    await expect(run({ file })).rejects.toThrow('chat.jsonl:2: no "messages" list; fields found: msgs, id, source');
    const { records, result } = await run({ file, onBadRecord: 'skip' });
    expect(records.map((r) => (r.messages as Array<{ content: string }>)[0]!.content)).toEqual(['q', 'q3']);
    expect(result.metrics?.skipped).toBe(2);
    expect(ctx.logs).toContain('warn: skipped chat.jsonl:2: no "messages" list; fields found: msgs, id, source');
    expect(ctx.logs).toContain('warn: skipped chat.jsonl:3: messages[1] has role "narrator"; expected system, user or assistant (ShareGPT: system, human, gpt)');
    const alpaca = write('a.jsonl', '{"instruction":"x","output":"y"}\n{"instruction":"x","answer":"y"}\n');
    await expect(run({ file: alpaca })).rejects.toThrow('a.jsonl:2: no "output" field (Alpaca layout); fields found: instruction, answer');
    const csv = write('pc.csv', 'prompt,answer\nx,y\n');
    await expect(run({ file: csv, layout: 'prompt-completion' })).rejects.toThrow('pc.csv: no column "completion" in the header (columns: prompt, answer)');
  });

  it('guesses the layout again when the first record fits none, so one odd line does not spoil a file', async () => {
    const { write, run } = setup();
    const file = write('odd.jsonl', '{"note":"header line"}\n{"instruction":"x","input":"","output":"y"}\n');
    const { records, dataset } = await run({ file, onBadRecord: 'skip' });
    expect(records).toEqual([{ messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: 'y' }] }]);
    expect(dataset.layouts).toEqual(['alpaca']);
  });
});

describe('dataset.file: .json files', () => {
  it('reads a JSON array of Alpaca records (as alpaca_data.json is), streaming, with line numbers in errors', async () => {
    const { write, run } = setup();
    const records = [
      { instruction: 'Give the plural.', input: 'mouse', output: 'mice' },
      { instruction: 'Say "hi" {politely}', input: '', output: 'Hello [there].\\' },
    ];
    const file = write('alpaca_data.json', '\uFEFF[\n' + records.map((r) => '  ' + JSON.stringify(r, null, 2).replace(/\n/g, '\n  ')).join(',\n') + '\n]\n');
    const { records: read, dataset } = await run({ file });
    expect(read).toEqual([
      { messages: [{ role: 'user', content: 'Give the plural.\n\nmouse' }, { role: 'assistant', content: 'mice' }] },
      { messages: [{ role: 'user', content: 'Say "hi" {politely}' }, { role: 'assistant', content: 'Hello [there].\\' }] },
    ]);
    expect(dataset.layouts).toEqual(['alpaca']);

    const bad = write('bad.json', '[\n  {"instruction": "a", "output": "b"},\n  {"instruction": "c",\n   "answer": "d"},\n  {"instruction": "e", oops},\n  7\n]');
    await expect(run({ file: bad })).rejects.toThrow('bad.json:3: no "output" field (Alpaca layout); fields found: instruction, answer');
    const skipped = await run({ file: bad, onBadRecord: 'skip' });
    expect(skipped.records).toHaveLength(1);
    expect(skipped.result.metrics?.skipped).toBe(3);
  });

  it('reads objects one after another under a .json name, and reports a cut-off array', async () => {
    const { ctx, write, run } = setup();
    const lines = write('lines.json', '{"text":"one"}\n{"text":"two"}\n');
    expect((await run({ file: lines })).records).toEqual([{ text: 'one' }, { text: 'two' }]);
    const cut = write('cut.json', '[{"text":"one"},\n{"text":"tw');
    const r = await run({ file: cut, onBadRecord: 'skip' });
    expect(r.records).toEqual([{ text: 'one' }]);
    expect(ctx.logs.some((l) => l.includes('cut.json:2: the file ends inside this record'))).toBe(true);
  });
});

describe('dataset.file: graphs saved before layouts', () => {
  it('version 1 params are upgraded to read only the mapped fields, as they did', () => {
    expect(datasetFile.version).toBe(2);
    expect(datasetFile.migrate?.({ file: 'a.jsonl', textField: 'body' }, 1)).toEqual({ layout: 'fields', file: 'a.jsonl', textField: 'body' });
    expect(datasetFile.migrate?.({ layout: 'auto' }, 2)).toEqual({ layout: 'auto' });
  });
});
