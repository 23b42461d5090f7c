/** Several GPUs: the heavy-node limit holds per GPU, and heavy nodes are spread over the GPUs. */
import { afterAll, describe, expect, it } from 'vitest';
import { graphOf, maxOverlap, readTrace, stubEngine, type TraceLine } from '../../test/helpers.ts';
import type { WeftHost } from '../host/weft-host.ts';
import { forkLauncher } from './worker/launcher.ts';

const hosts: WeftHost[] = [];
afterAll(async () => Promise.all(hosts.map((h) => h.close())));

const heavyGraph = (device?: 'cpu') => {
  const g = graphOf([1, 2, 3, 4].map((i) => ({ id: `h${i}`, type: 'stub.heavy', params: { steps: 12 + i, stepMs: 60 } })));
  if (device) g.device = device;
  return g;
};

/** For each heavy node, the nodes whose runs overlapped it. */
function overlaps(trace: TraceLine[]): Array<[string, string]> {
  const spans = new Map<string, { start: number; end: number }>();
  for (const t of trace) {
    const s = spans.get(t.nodeId) ?? { start: 0, end: 0 };
    s[t.what] = t.at;
    spans.set(t.nodeId, s);
  }
  const pairs: Array<[string, string]> = [];
  const ids = [...spans.keys()].sort();
  for (const a of ids) for (const b of ids) if (a < b && spans.get(a)!.start < spans.get(b)!.end && spans.get(b)!.start < spans.get(a)!.end) pairs.push([a, b]);
  return pairs;
}

describe('heavy nodes across GPUs', () => {
  it('with two GPUs runs two heavy nodes at once, never two on the same GPU, and uses both', async () => {
    const { engine, workspace } = await stubEngine(undefined, { limits: { maxConcurrent: 4, maxHeavy: 1 }, gpuCount: 2 });
    hosts.push(engine);
    const run = await engine.waitForRun((await engine.startRun({ graph: heavyGraph() })).runId);
    expect(run.state).toBe('succeeded');
    const gpu = (id: string) => run.nodes[id]!.metrics!.gpu!;
    expect(new Set(['h1', 'h2', 'h3', 'h4'].map(gpu))).toEqual(new Set([0, 1]));
    const trace = readTrace(workspace);
    expect(maxOverlap(trace)).toBe(2);
    for (const [a, b] of overlaps(trace)) expect(gpu(a), `${a} and ${b} ran at once`).not.toBe(gpu(b));
  });

  it('with one GPU (the default) keeps one heavy node at a time and names no GPU', async () => {
    const { engine, workspace } = await stubEngine(undefined, { limits: { maxConcurrent: 4, maxHeavy: 1 } });
    hosts.push(engine);
    const run = await engine.waitForRun((await engine.startRun({ graph: heavyGraph() })).runId);
    expect(run.state).toBe('succeeded');
    expect(maxOverlap(readTrace(workspace))).toBe(1);
    expect(run.nodes.h1!.metrics!.gpu).toBe(-1);
  });

  it("with workers bound to GPUs, each heavy node runs in a worker started with its GPU's environment", async () => {
    // What gpu-inventory.ts gives per GPU (DRI_PRIME=pci-... on a real machine); a marker variable here.
    const launcher = forkLauncher({ gpuEnv: [{ WEFT_TEST_BOUND_GPU: '0' }, { WEFT_TEST_BOUND_GPU: '1' }] });
    const { engine } = await stubEngine(undefined, { limits: { maxConcurrent: 4, maxHeavy: 1 }, gpuCount: 2, gpuBound: true, launcher });
    hosts.push(engine);
    const run = await engine.waitForRun((await engine.startRun({ graph: heavyGraph() })).runId);
    expect(run.state).toBe('succeeded');
    for (const id of ['h1', 'h2', 'h3', 'h4']) expect(run.nodes[id]!.metrics!.boundGpu, id).toBe(run.nodes[id]!.metrics!.gpu);
    expect(new Set(['h1', 'h2', 'h3', 'h4'].map((id) => run.nodes[id]!.metrics!.gpu))).toEqual(new Set([0, 1]));
  });
});
