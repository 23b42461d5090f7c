import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stubEngine, tempDir } from '../../test/helpers.ts';
import { Confinement, confinedApi } from '../server/confine.ts';
import type { WeftHost } from './weft-host.ts';

const engines: WeftHost[] = [];
afterAll(async () => Promise.all(engines.map((e) => e.close())));
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

async function host(workspace = tempDir()) {
  const { engine } = await stubEngine(workspace);
  engines.push(engine);
  return engine;
}

describe('previewing a data file before a run', () => {
  it('shows the recognised layout, the fields found and the first records, relative to the graph folder', async () => {
    const engine = await host();
    const p = await engine.previewDataFile({ path: 'data/chat-messages.jsonl', graphDir: EXAMPLES });
    expect(p).toMatchObject({ name: 'chat-messages.jsonl', format: 'jsonl', layout: 'messages', detected: true, fieldsFound: ['messages'], problems: [], more: false });
    expect(p.first).toHaveLength(4);
    expect((p.first[0]!.messages as unknown[]).length).toBe(5);
    const alpaca = await engine.previewDataFile({ path: join(EXAMPLES, 'data/alpaca.jsonl'), graphDir: EXAMPLES });
    expect(alpaca).toMatchObject({ layout: 'alpaca', fieldsFound: ['instruction', 'input', 'output'] });
    const txt = await engine.previewDataFile({ path: 'data/moby-dick-opening.txt', graphDir: EXAMPLES, params: { txtRecords: 'paragraph' } });
    expect(txt).toMatchObject({ layout: 'text', detected: false, more: true });
    expect(txt.first).toHaveLength(8);
  });

  it('lists problems with file:line and the fields found, and applies the mapping params', async () => {
    const workspace = tempDir();
    const engine = await host(workspace);
    writeFileSync(join(workspace, 'q.jsonl'), '{"question":"a","answer":"b"}\n{oops}\n');
    const auto = await engine.previewDataFile({ path: 'q.jsonl' });
    expect(auto).toMatchObject({ layout: 'text', fieldsFound: ['question', 'answer'], first: [] });
    expect(auto.problems).toEqual(['q.jsonl:1: missing field "text" (mapped to text); fields found: question, answer', expect.stringMatching(/^q\.jsonl:2: invalid JSON/)]);
    const mapped = await engine.previewDataFile({ path: 'q.jsonl', params: { textField: '', promptField: 'question', responseField: 'answer' } });
    expect(mapped).toMatchObject({ layout: 'fields', first: [{ prompt: 'a', response: 'b' }] });
    writeFileSync(join(workspace, 'h.csv'), 'a,b\n1,2\n');
    expect((await engine.previewDataFile({ path: 'h.csv' })).problems).toEqual(['h.csv: no column "text" in the header (columns: a, b)']);
  });

  it('reads only files a graph may read; from the browser, only with a graph folder the browser may use', async () => {
    const engine = await host();
    const outside = tempDir('weft-outside-');
    writeFileSync(join(outside, 'secret.jsonl'), '{"text":"x"}\n');
    await expect(engine.previewDataFile({ path: join(outside, 'secret.jsonl') })).rejects.toThrow(/outside the folders this graph may read/);
    const web = confinedApi(engine, new Confinement({ workspace: engine.workspace, readRoots: [EXAMPLES], files: [] }));
    await expect(web.previewDataFile({ path: 'secret.jsonl', graphDir: outside })).rejects.toThrow(/refused/);
    await expect(web.previewDataFile({ path: 'data/alpaca.jsonl', graphDir: EXAMPLES })).resolves.toMatchObject({ layout: 'alpaca' });
  });
});
