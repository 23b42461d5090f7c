import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetWriter } from '../../nodes/lib/dataset.ts';
import type { NodeRecord, RunRecord } from '../../nodes/sdk/runs.ts';
import { MAX_READ_BYTES, PreviewError, previewArtifacts } from './artifact-preview.ts';

let ws: string;
let cache: string;
beforeEach(() => {
  ws = mkdtempSync(join(tmpdir(), 'weft-preview-'));
  cache = join(ws, 'cache');
});
afterEach(() => rmSync(ws, { recursive: true, force: true }));

/** An artifact folder laid out as the cache store lays it out: cache/<signature>/run-<id>. */
function artifactDir(sig = 'sig1'): string {
  const dir = join(cache, sig, 'run-r1');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function run(nodes: Record<string, NodeRecord>): RunRecord {
  return { id: 'r1', state: 'succeeded', createdAt: '', graph: { version: 1, nodes: [], edges: [] } as unknown as RunRecord['graph'], graphDir: ws, seed: 1, backends: [], versions: {}, nodes };
}

describe('previewArtifacts', () => {
  it('refuses a node id the run does not have, including an inherited name like __proto__', async () => {
    for (const id of ['__proto__', 'constructor', 'nope']) await expect(previewArtifacts(run({}), id)).rejects.toThrow(PreviewError);
  });

  it('shows a dataset: rows per split, fields, labels and the first 10 records cut to 300 chars', async () => {
    const dir = artifactDir();
    const w = new DatasetWriter(dir);
    for (let i = 0; i < 25; i++) await w.write('train', { text: `row ${i} ` + 'x'.repeat(i === 0 ? 1000 : 5), label: i % 2 ? 'pos' : 'neg' });
    for (let i = 0; i < 3; i++) await w.write('validation', { text: `val ${i}`, label: 'pos' });
    const handle = await w.close();
    const p = await previewArtifacts(run({ split: { state: 'succeeded', artifactDir: dir, outputs: { dataset: handle } } }), 'split');
    const ds = p.outputs[0]!;
    expect(ds.kind).toBe('dataset');
    if (ds.kind !== 'dataset') return;
    expect(ds.fields).toEqual(['label', 'text']);
    expect(ds.labels).toEqual(['neg', 'pos']);
    expect(ds.splits.map((s) => [s.split, s.rows, s.first.length])).toEqual([
      ['train', 25, 10],
      ['validation', 3, 3],
    ]);
    expect(ds.splits[0]!.first[1]).toEqual({ text: 'row 1 xxxxx', label: 'pos' });
    // The long first record is cut: 300 characters and an ellipsis.
    expect((ds.splits[0]!.first[0]!.text as string).length).toBe(301);
  });

  it('reads only the head of a huge split, never the whole file', async () => {
    const dir = artifactDir();
    const line = JSON.stringify({ text: 'y'.repeat(1000) }) + '\n';
    const path = join(dir, 'train.jsonl');
    // 3 MB: three times the cap.
    writeFileSync(path, line.repeat(Math.ceil((3 * MAX_READ_BYTES) / line.length)));
    const handle = { kind: 'dataset', dir, fields: ['text'], splits: { train: { path, rows: 3000 } } };
    const p = await previewArtifacts(run({ n: { state: 'succeeded', artifactDir: dir, outputs: { dataset: handle } } }), 'n', { maxBytes: 4096 });
    const ds = p.outputs[0]!;
    if (ds.kind !== 'dataset') throw new Error('not a dataset');
    // 4,096 bytes hold four whole 1,012-byte lines; the partial fifth is dropped rather than misparsed.
    expect(ds.splits[0]!.rows).toBe(3000);
    expect(ds.splits[0]!.first).toHaveLength(4);
    expect(p.skipped).toEqual([]);
  });

  it('summarises tokenizer, model, text and metrics handles', async () => {
    const dir = artifactDir();
    const textPath = join(dir, 'clean.txt');
    writeFileSync(textPath, 'a'.repeat(5000));
    const outputs = {
      tokenizer: { kind: 'tokenizer', path: join(dir, 'tok.json'), vocabSize: 512, type: 'bpe', specialTokens: { '<|endoftext|>': 0 } },
      model: { kind: 'model', dir, parameters: 123456, config: { vocabSize: 512, contextLength: 64, width: 32, layers: 2, heads: 4, dropout: 0, causal: false, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 2, maskTokenId: -1, labels: ['neg', 'pos'] } },
      text: { kind: 'text', path: textPath, chars: 5000 },
      metrics: { kind: 'metrics', values: { loss: 1.5 } },
    };
    const p = await previewArtifacts(run({ n: { state: 'succeeded', artifactDir: dir, outputs } }), 'n');
    expect(p.outputs).toEqual([
      { port: 'tokenizer', kind: 'tokenizer', vocabSize: 512, type: 'bpe', specialTokens: { '<|endoftext|>': 0 } },
      { port: 'model', kind: 'model', parameters: 123456, layers: 2, heads: 4, width: 32, context: 64, vocab: 512, causal: false, labels: ['neg', 'pos'] },
      { port: 'text', kind: 'text', chars: 5000, excerpt: 'a'.repeat(2000) },
      { port: 'metrics', kind: 'metrics', values: { loss: 1.5 } },
    ]);
  });

  it('turns samples.json, confusion.json and top-words.csv into tables of at most 20 rows', async () => {
    const dir = artifactDir();
    writeFileSync(join(dir, 'samples.json'), JSON.stringify(Array.from({ length: 30 }, (_, i) => ({ prompt: `p${i}`, expected: 'a', got: i % 2 ? 'a' : 'b', match: i % 2 === 1 }))));
    writeFileSync(join(dir, 'confusion.json'), JSON.stringify({ labels: ['neg', 'pos'], confusion: [[5, 1], [2, 7]] }));
    writeFileSync(join(dir, 'top-words.csv'), 'word,count,share\n' + Array.from({ length: 25 }, (_, i) => `w${i},${100 - i},0.01`).join('\n') + '\n');
    const p = await previewArtifacts(run({ n: { state: 'succeeded', artifactDir: dir, outputs: {} } }), 'n');
    const [samples, confusion, words] = p.tables;
    expect(samples).toMatchObject({ name: 'samples.json', columns: ['prompt', 'expected', 'got', 'match'], totalRows: 30 });
    expect(samples!.rows).toHaveLength(20);
    expect(samples!.rows[1]).toEqual(['p1', 'a', 'a', true]);
    expect(confusion).toEqual({ name: 'confusion.json', columns: ['actual \\ predicted', 'neg', 'pos'], rows: [['neg', 5, 1], ['pos', 2, 7]], totalRows: 2 });
    expect(words).toMatchObject({ name: 'top-words.csv', columns: ['word', 'count', 'share'], totalRows: 25 });
    expect(words!.rows).toHaveLength(20);
    expect(words!.rows[0]).toEqual(['w0', 100, 0.01]);
  });

  it('shows the responses train.rl sampled during training (rollouts.json) beside its held-out samples', async () => {
    const dir = artifactDir();
    writeFileSync(join(dir, 'rollouts.json'), JSON.stringify([{ step: 20, prompt: 'abc=', response: 'abc', reward: 1 }, { step: 10, prompt: 'fed=', response: 'fe', reward: 0 }]));
    const p = await previewArtifacts(run({ r: { state: 'succeeded', artifactDir: dir, outputs: {} } }), 'r');
    expect(p.tables).toEqual([{ name: 'rollouts.json', columns: ['step', 'prompt', 'response', 'reward'], rows: [[20, 'abc=', 'abc', 1], [10, 'fed=', 'fe', 0]], totalRows: 2 }]);
  });

  it('shows the plain-string samples generate writes', async () => {
    const dir = artifactDir();
    writeFileSync(join(dir, 'samples.json'), JSON.stringify(['once upon', 'a time']));
    const p = await previewArtifacts(run({ g: { state: 'succeeded', artifactDir: dir, outputs: {} } }), 'g');
    expect(p.tables).toEqual([{ name: 'samples.json', columns: ['text'], rows: [['once upon'], ['a time']], totalRows: 2 }]);
  });

  it('refuses files outside the cache, even through a link, and JSON over the cap', async () => {
    const dir = artifactDir();
    const secret = join(ws, 'secret.txt');
    writeFileSync(secret, 'do not show');
    symlinkSync(secret, join(dir, 'link.txt'));
    writeFileSync(join(dir, 'samples.json'), JSON.stringify(['z'.repeat(10_000)]));
    const outputs = { a: { kind: 'text', path: secret, chars: 11 }, b: { kind: 'text', path: join(dir, 'link.txt'), chars: 11 } };
    const p = await previewArtifacts(run({ n: { state: 'succeeded', artifactDir: dir, outputs } }), 'n', { root: cache, maxBytes: 1000 });
    expect(p.outputs.map((o) => (o.kind === 'text' ? o.excerpt : '?'))).toEqual(['', '']);
    expect(p.tables).toEqual([]);
    expect(p.skipped).toEqual(['secret.txt: outside the workspace cache', 'link.txt: outside the workspace cache', 'samples.json: larger than 1000 bytes']);
  });

  it('says so for a node the run does not have', async () => {
    await expect(previewArtifacts(run({}), 'nope')).rejects.toBeInstanceOf(PreviewError);
  });
});
