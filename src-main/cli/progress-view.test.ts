import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../nodes/sdk/index.ts';
import { ProgressView } from './progress-view.ts';

describe("weft run's live progress", () => {
  it('shows a node that succeeded full, though its last progress report was short of the total', () => {
    let written = '';
    const out = { columns: 120, write: (s: string) => void (written += s) } as unknown as NodeJS.WriteStream;
    const run = { graph: { nodes: [{ id: 'corpus', type: 'dataset.builtin' }] }, nodes: {} } as unknown as RunRecord;
    const view = new ProgressView(run, out, true);
    const at = new Date().toISOString();
    view.handle({ type: 'node-state', runId: 'r', nodeId: 'corpus', state: 'running', at });
    view.handle({ type: 'node-progress', runId: 'r', nodeId: 'corpus', at, step: 100, total: 139 });
    expect(written).toContain('100/139');
    view.handle({ type: 'node-state', runId: 'r', nodeId: 'corpus', state: 'succeeded', at, metrics: { records: 139 } });
    written = '';
    view.stop();
    expect(written).toContain('139/139');
    expect(written).not.toContain('100/139');
  });
});
