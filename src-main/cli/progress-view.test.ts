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

  it('says which device each node computed on, in a log and on a terminal', () => {
    let written = '';
    const out = { columns: 160, write: (s: string) => void (written += s) } as unknown as NodeJS.WriteStream;
    const run = { graph: { nodes: [{ id: 'sft', type: 'train.sft' }, { id: 'eval', type: 'eval' }] }, nodes: {} } as unknown as RunRecord;
    const plain = new ProgressView(run, out, false);
    const at = new Date().toISOString();
    const gpu = { backend: 'webgpu', adapter: { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200', software: false } };
    plain.handle({ type: 'node-state', runId: 'r', nodeId: 'sft', state: 'running', at });
    plain.handle({ type: 'node-state', runId: 'r', nodeId: 'sft', state: 'succeeded', at, metrics: { loss: 1.5 }, device: gpu });
    plain.handle({ type: 'node-state', runId: 'r', nodeId: 'eval', state: 'failed', at, error: 'out of memory', device: { backend: 'wasm' } });
    expect(written).toMatch(/✓ sft succeeded \S+ on webgpu · NVIDIA H200 loss=1\.5/);
    expect(written).toMatch(/✗ eval failed on wasm: out of memory/);
    written = '';
    const live = new ProgressView(run, out, true);
    live.handle({ type: 'node-state', runId: 'r', nodeId: 'sft', state: 'succeeded', at, device: gpu });
    live.stop();
    expect(written).toContain('[webgpu · NVIDIA H200]');
  });
});
