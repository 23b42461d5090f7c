/** What the inspector shows of preference pairs and of a reward model's histogram. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { PreferencesWriter } from '../../nodes/lib/align/preferences.ts';
import type { RunRecord } from '../../nodes/sdk/runs.ts';
import { previewArtifacts } from './artifact-preview.ts';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

it('shows preference pairs like a dataset, and the reward histogram whole (every bin, for its chart)', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'weft-preview-'));
  roots.push(ws);
  const dir = join(ws, 'cache', 'sig', 'run-r1');
  mkdirSync(dir, { recursive: true });
  const w = new PreferencesWriter(dir);
  await w.write('train', { prompt: '1+1=', chosen: '2', rejected: '3' });
  await w.write('validation', { prompt: '2+2=', chosen: '4', rejected: '5' });
  const handle = await w.close();
  // 60 bins: more rows than a table preview shows (20), all sent since the inspector draws them.
  const bins = Array.from({ length: 60 }, (_, i) => [i / 10, (i + 1) / 10, i % 3, i % 2, (i + 1) % 3, 1]);
  writeFileSync(join(dir, 'reward-histogram.csv'), ['from,to,chosenBefore,rejectedBefore,chosenAfter,rejectedAfter', ...bins.map((b) => b.join(','))].join('\n') + '\n');
  const record = { id: 'r1', state: 'succeeded', createdAt: '', graph: { version: 1, nodes: [], edges: [] }, graphDir: ws, seed: 1, backends: [], versions: {}, nodes: { n: { state: 'succeeded', artifactDir: dir, outputs: { preferences: handle } } } } as unknown as RunRecord;
  const p = await previewArtifacts(record, 'n');
  expect(p.outputs[0]).toMatchObject({ kind: 'dataset', fields: ['prompt', 'chosen', 'rejected'] });
  const ds = p.outputs[0]!;
  if (ds.kind === 'dataset') expect(ds.splits.map((s) => [s.split, s.first[0]])).toEqual([['train', { prompt: '1+1=', chosen: '2', rejected: '3' }], ['validation', { prompt: '2+2=', chosen: '4', rejected: '5' }]]);
  expect(p.tables).toEqual([{ name: 'reward-histogram.csv', columns: ['from', 'to', 'chosenBefore', 'rejectedBefore', 'chosenAfter', 'rejectedAfter'], rows: bins, totalRows: 60 }]);
});
