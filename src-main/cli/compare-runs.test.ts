/** `weft replay` compares results, not timings, and names what could explain a difference. */
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../nodes/sdk/index.ts';
import { compareRuns } from './commands.ts';

function record(over: Partial<RunRecord> & { metrics?: Record<string, number>; signature?: string }): RunRecord {
  const { metrics, signature, ...rest } = over;
  return {
    id: 'r',
    state: 'succeeded',
    createdAt: '2026-11-30T00:00:00Z',
    graph: { format: 'weft.graph', version: 1, meta: {}, seed: 1, nodes: [], edges: [] },
    graphDir: '/',
    seed: 1,
    backends: ['wasm'],
    versions: { weft: '0.1.0', node: '20.20.2' },
    nodes: { train: { state: 'succeeded', metrics: metrics ?? { finalLoss: 2.5, tokensPerSecond: 1000 }, signature: signature ?? 'abc' } },
    ...rest,
  } as RunRecord;
}

describe('replay comparison', () => {
  it('an exact replay is identical although its speed differs', () => {
    const r = compareRuns(record({}), record({ metrics: { finalLoss: 2.5, tokensPerSecond: 1234 } }));
    expect(r.same).toBe(true);
    expect(r.causes).toEqual([]);
    expect(r.lines).toContain('  = train.finalLoss: 2.5');
    expect(r.lines.find((l) => l.includes('tokensPerSecond'))).toMatch(/a timing, not compared/);
  });

  it('a different result is a difference, with versions, backend and changed inputs named', () => {
    const r = compareRuns(record({}), record({ metrics: { finalLoss: 2.6, tokensPerSecond: 1000 }, versions: { weft: '0.2.0', node: '20.20.2' }, backends: ['webgpu'], signature: 'def' }));
    expect(r.same).toBe(false);
    expect(r.causes).toEqual(['weft 0.1.0 → 0.2.0', 'backend wasm → webgpu', 'node train: its inputs differ (params, seed or the content of its input files)']);
  });
});
