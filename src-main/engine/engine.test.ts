import { afterEach, describe, expect, it } from 'vitest';
import { GraphInvalidError, type EngineEvent } from '../../nodes/sdk/index.ts';
import { graphOf, maxOverlap, readTrace, stubEngine, tempDir, waitFor } from '../../test/helpers.ts';
import type { WeftHost } from '../host/weft-host.ts';

const engines: WeftHost[] = [];
async function open(...args: Parameters<typeof stubEngine>) {
  const e = await stubEngine(...args);
  engines.push(e.engine);
  return e;
}
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

const stateOf = (events: EngineEvent[], nodeId: string) =>
  events.filter((e) => e.type === 'node-state' && e.nodeId === nodeId).map((e) => (e as { state: string }).state);

describe('engine', () => {
  it('runs nodes in dependency order and passes outputs along edges', async () => {
    const { engine, workspace } = await open();
    const graph = graphOf(
      [
        { id: 'c', type: 'stub.append', version: 2, params: { suffix: 'C' } },
        { id: 'a', type: 'stub.source', params: { value: 'A' } },
        { id: 'b', type: 'stub.append', version: 2, params: { suffix: 'B' } },
      ],
      [
        ['a', 'out', 'b', 'in'],
        ['b', 'out', 'c', 'in'],
      ],
    );
    const { runId } = await engine.startRun({ graph });
    const run = await engine.waitForRun(runId);
    expect(run.state).toBe('succeeded');
    const starts = readTrace(workspace).filter((t) => t.what === 'start').map((t) => t.nodeId);
    expect(starts).toEqual(['a', 'b', 'c']);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync((run.nodes.c!.outputs!.out as { path: string }).path, 'utf8')).toBe('ABC');
  });

  it('runs independent branches concurrently but only one heavy node at a time', async () => {
    const { engine, workspace } = await open(undefined, { limits: { maxConcurrent: 4, maxHeavy: 1 } });
    const graph = graphOf([
      // Long enough (2 s) that both light nodes overlap even when a loaded machine starts workers slowly.
      { id: 'l1', type: 'stub.source', params: { steps: 25, stepMs: 80 } },
      { id: 'l2', type: 'stub.source', params: { steps: 25, stepMs: 80, value: 'x' } },
      { id: 'h1', type: 'stub.heavy', params: { steps: 10, stepMs: 60 } },
      { id: 'h2', type: 'stub.heavy', params: { steps: 11, stepMs: 60 } },
    ]);
    const run = await engine.waitForRun((await engine.startRun({ graph })).runId);
    expect(run.state).toBe('succeeded');
    const trace = readTrace(workspace);
    expect(maxOverlap(trace.filter((t) => t.nodeId.startsWith('l')))).toBe(2);
    expect(maxOverlap(trace.filter((t) => t.nodeId.startsWith('h')))).toBe(1);
  });

  it('respects the overall concurrency limit', async () => {
    const { engine, workspace } = await open(undefined, { limits: { maxConcurrent: 1, maxHeavy: 1 } });
    const graph = graphOf([
      { id: 'a', type: 'stub.source', params: { steps: 3, stepMs: 40 } },
      { id: 'b', type: 'stub.source', params: { steps: 3, stepMs: 40, value: 'b' } },
      { id: 'c', type: 'stub.source', params: { steps: 3, stepMs: 40, value: 'c' } },
    ]);
    await engine.waitForRun((await engine.startRun({ graph })).runId);
    expect(maxOverlap(readTrace(workspace))).toBe(1);
  });

  it('fails a node, skips what depends on it, finishes the other branch, and keeps the error', async () => {
    const { engine, events } = await open();
    const graph = graphOf(
      [
        { id: 'bad', type: 'stub.fail', params: { message: 'disk on fire' } },
        { id: 'after', type: 'stub.append', version: 2 },
        { id: 'after2', type: 'stub.append', version: 2 },
        { id: 'ok', type: 'stub.source' },
      ],
      [
        ['bad', 'out', 'after', 'in'],
        ['after', 'out', 'after2', 'in'],
      ],
    );
    const run = await engine.waitForRun((await engine.startRun({ graph })).runId);
    expect(run.state).toBe('failed');
    expect(run.nodes.bad!.state).toBe('failed');
    expect(run.nodes.bad!.error).toContain('disk on fire');
    expect(run.nodes.after!.state).toBe('skipped');
    expect(run.nodes.after2!.state).toBe('skipped');
    expect(run.nodes.ok!.state).toBe('succeeded');
    expect(run.error).toContain('disk on fire');
    expect(stateOf(events, 'after')).toEqual(['skipped']);
  });

  it('cancels a running node within a step and cancels what was queued', async () => {
    const { engine, events } = await open();
    const graph = graphOf(
      [
        { id: 'long', type: 'stub.heavy', params: { steps: 1000, stepMs: 20 } },
        { id: 'next', type: 'stub.append', version: 2 },
        { id: 'src', type: 'stub.source' },
      ],
      [['src', 'out', 'next', 'in']],
    );
    const { runId } = await engine.startRun({ graph });
    await waitFor(() => events.some((e) => e.type === 'node-progress' && e.nodeId === 'long' && e.step >= 3));
    const t0 = Date.now();
    await engine.cancelRun(runId);
    const run = await engine.waitForRun(runId);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(run.state).toBe('cancelled');
    expect(run.nodes.long!.state).toBe('cancelled');
    expect(run.nodes.long!.step!).toBeLessThan(1000);
  });

  it('cancels a node that computes without yielding (as training does) within a step or two', async () => {
    const { engine, events } = await open();
    const { runId } = await engine.startRun({ graph: graphOf([{ id: 'busy', type: 'stub.heavy', params: { steps: 400, stepMs: 25, mode: 'busy' } }]) });
    await waitFor(() => events.some((e) => e.type === 'node-progress' && e.nodeId === 'busy' && e.step >= 3));
    const t0 = Date.now();
    await engine.cancelRun(runId);
    const run = await engine.waitForRun(runId);
    // Before, the cancel message waited for the loop to end (400 x 25 ms).
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(run.nodes.busy!.state).toBe('cancelled');
  });

  it('never lets two runs execute one node signature at once (they would share its checkpoints)', async () => {
    const workspace = tempDir();
    const a = await stubEngine(workspace);
    const b = await stubEngine(workspace);
    try {
      const graph = graphOf([{ id: 'train', type: 'stub.heavy', params: { steps: 60, stepMs: 20 } }]);
      const first = await a.engine.startRun({ graph });
      await waitFor(() => a.events.some((e) => e.type === 'node-progress' && e.step >= 2));
      const second = await b.engine.startRun({ graph, noCache: true });
      const refused = await b.engine.waitForRun(second.runId);
      expect(refused.nodes.train!.state).toBe('failed');
      expect(refused.nodes.train!.error).toMatch(/running in another Weft run in this workspace/);
      expect((await a.engine.waitForRun(first.runId)).state).toBe('succeeded');
      // Once the first is done the signature is free again.
      const third = await b.engine.startRun({ graph, noCache: true });
      expect((await b.engine.waitForRun(third.runId)).state).toBe('succeeded');
    } finally {
      await a.engine.close();
      await b.engine.close();
    }
  });

  it('pauses between steps and resumes where it was', async () => {
    const { engine, events } = await open();
    const graph = graphOf([{ id: 'train', type: 'stub.heavy', params: { steps: 40, stepMs: 15 } }]);
    const { runId } = await engine.startRun({ graph });
    await waitFor(() => events.some((e) => e.type === 'node-progress' && e.step >= 5));
    await engine.pauseRun(runId);
    await waitFor(() => events.some((e) => e.type === 'run-state' && e.state === 'paused'));
    await new Promise((r) => setTimeout(r, 150)); // let an in-flight step land
    const stepAtPause = (await engine.getRun(runId)).nodes.train!.step!;
    const lastProgress = () => events.filter((e) => e.type === 'node-progress').at(-1) as { step: number };
    const before = lastProgress().step;
    await new Promise((r) => setTimeout(r, 400));
    expect(lastProgress().step).toBe(before); // nothing moved while paused
    expect(before).toBeLessThan(40);
    expect(stepAtPause).toBeGreaterThanOrEqual(5);
    await engine.resumeRun(runId);
    const run = await engine.waitForRun(runId);
    expect(run.state).toBe('succeeded');
    expect(run.nodes.train!.step).toBe(40);
    const runStates = events.filter((e) => e.type === 'run-state').map((e) => (e as { state: string }).state);
    expect(runStates).toEqual(['running', 'paused', 'running', 'succeeded']);
  });

  it('throttles progress events to about ten per second per node, keeping the last step', async () => {
    const { engine, events } = await open();
    const graph = graphOf([{ id: 'fast', type: 'stub.heavy', params: { steps: 400, stepMs: 1 } }]);
    const started = Date.now();
    await engine.waitForRun((await engine.startRun({ graph })).runId);
    const elapsed = (Date.now() - started) / 1000;
    const progress = events.filter((e) => e.type === 'node-progress');
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(elapsed * 10) + 2);
    expect(progress.at(-1)).toMatchObject({ step: 400, total: 400 });
    expect(progress.some((p) => p.type === 'node-progress' && p.etaMs !== undefined)).toBe(true);
  });

  it('executes nothing when an unchanged graph runs again, and re-runs only the edited node and its descendants', async () => {
    const { engine, workspace } = await open();
    const nodes: Array<{ id: string; type: string; version?: number; params: Record<string, unknown> }> = [
      { id: 'a', type: 'stub.source', params: { value: 'A' } },
      { id: 'b', type: 'stub.append', version: 2, params: { suffix: 'B' } },
      { id: 'c', type: 'stub.append', version: 2, params: { suffix: 'C' } },
      { id: 'side', type: 'stub.source', params: { value: 'S' } },
    ];
    const edges: Array<[string, string, string, string]> = [
      ['a', 'out', 'b', 'in'],
      ['b', 'out', 'c', 'in'],
    ];
    await engine.waitForRun((await engine.startRun({ graph: graphOf(nodes, edges) })).runId);
    expect(readTrace(workspace).filter((t) => t.what === 'start')).toHaveLength(4);

    const again = await engine.waitForRun((await engine.startRun({ graph: graphOf(nodes, edges) })).runId);
    expect(again.state).toBe('succeeded');
    expect(Object.values(again.nodes).map((n) => n.state)).toEqual(['cached', 'cached', 'cached', 'cached']);
    expect(readTrace(workspace).filter((t) => t.what === 'start')).toHaveLength(4);

    nodes[1] = { ...nodes[1]!, params: { suffix: 'b2' } };
    const edited = await engine.waitForRun((await engine.startRun({ graph: graphOf(nodes, edges) })).runId);
    const ran = readTrace(workspace).filter((t) => t.what === 'start').slice(4).map((t) => t.nodeId);
    expect(ran).toEqual(['b', 'c']);
    expect(edited.nodes.a!.state).toBe('cached');
    expect(edited.nodes.side!.state).toBe('cached');
    const { readFileSync } = await import('node:fs');
    expect(readFileSync((edited.nodes.c!.outputs!.out as { path: string }).path, 'utf8')).toBe('Ab2C');
  });

  it('keeps the cache across restarts and notices a changed input file', async () => {
    const { workspace, engine } = await open();
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    writeFileSync(join(workspace, 'in.txt'), 'one');
    const graph = graphOf([{ id: 'r', type: 'stub.read', params: { file: 'in.txt' } }]);
    await engine.waitForRun((await engine.startRun({ graph, graphDir: workspace })).runId);
    await engine.close();
    const reopened = await open(workspace);
    const cached = await reopened.engine.waitForRun((await reopened.engine.startRun({ graph, graphDir: workspace })).runId);
    expect(cached.nodes.r!.state).toBe('cached');
    writeFileSync(join(workspace, 'in.txt'), 'two!');
    const rerun = await reopened.engine.waitForRun((await reopened.engine.startRun({ graph, graphDir: workspace })).runId);
    expect(rerun.nodes.r!.state).toBe('succeeded');
  });

  it('fails only the node whose worker is killed; the run record survives and other branches finish', async () => {
    const { engine } = await open();
    const graph = graphOf(
      [
        { id: 'crash', type: 'stub.crash', params: { how: 'kill' } },
        { id: 'down', type: 'stub.append', version: 2 },
        { id: 'other', type: 'stub.source', params: { steps: 5, stepMs: 40 } },
      ],
      [['crash', 'out', 'down', 'in']],
    );
    const { runId } = await engine.startRun({ graph });
    const run = await engine.waitForRun(runId);
    expect(run.state).toBe('failed');
    expect(run.nodes.crash!.error).toMatch(/worker process running this node was killed \(SIGKILL\)/);
    expect(run.nodes.down!.state).toBe('skipped');
    expect(run.nodes.other!.state).toBe('succeeded');
    expect((await engine.getRun(runId)).state).toBe('failed');
  });

  it('says a worker ran out of memory when it did', async () => {
    const { STUB_REGISTRY_MODULE } = await import('../../test/helpers.ts');
    const { forkLauncher } = await import('./worker/launcher.ts');
    const { engine } = await open(undefined, { launcher: forkLauncher({ maxOldSpaceMb: 64 }), registryModule: STUB_REGISTRY_MODULE });
    const run = await engine.waitForRun((await engine.startRun({ graph: graphOf([{ id: 'hog', type: 'stub.crash', params: { how: 'oom', afterMs: 0 } }]) })).runId);
    expect(run.nodes.hog!.state).toBe('failed');
    expect(run.nodes.hog!.error).toMatch(/ran out of memory/);
  });

  it('marks a run left active by a dead process as interrupted and resumes it, reusing finished nodes', async () => {
    const { engine, workspace } = await open();
    const graph = graphOf(
      [
        { id: 'a', type: 'stub.source', params: { value: 'A' } },
        { id: 'b', type: 'stub.append', version: 2, params: { suffix: 'B' } },
      ],
      [['a', 'out', 'b', 'in']],
    );
    const { runId } = await engine.startRun({ graph });
    await engine.waitForRun(runId);
    // Forge the state a kill -9 leaves: still "running", owned by a process that no longer exists.
    const { RunStore } = await import('../store/run-store.ts');
    const { join } = await import('node:path');
    const store = new RunStore(join(workspace, 'runs'));
    const rec = store.get(runId);
    const bSignature = rec.nodes.b!.signature!;
    rec.state = 'running';
    rec.owner = { pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname() };
    rec.nodes.b = { state: 'running' };
    await store.save(rec);
    // Remove b's cache entry so resuming has to execute it.
    const { rmSync } = await import('node:fs');
    rmSync(join(workspace, 'cache', bSignature, 'result.json'));
    await engine.close();

    const reopened = await open(workspace);
    expect((await reopened.engine.getRun(runId)).state).toBe('interrupted');
    await reopened.engine.resumeRun(runId);
    const resumed = await reopened.engine.waitForRun(runId);
    expect(resumed.state).toBe('succeeded');
    expect(resumed.nodes.a!.state).toBe('cached');
    expect(resumed.nodes.b!.state).toBe('succeeded');
    expect(resumed.resumedAt).toHaveLength(1);
    const starts = readTrace(workspace).filter((t) => t.what === 'start').map((t) => t.nodeId);
    expect(starts).toEqual(['a', 'b', 'b']);
  });

  it('refuses to start an invalid graph and names every problem', async () => {
    const { engine } = await open();
    const graph = graphOf(
      [
        { id: 'a', type: 'stub.source', params: { steps: -1 } },
        { id: 'b', type: 'stub.append', version: 2 },
        { id: 'h', type: 'stub.heavy', params: { mode: 'slow' } },
      ],
      [],
    );
    const err = await engine.startRun({ graph }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphInvalidError);
    const codes = (err as GraphInvalidError).errors.map((e) => `${e.code}@${e.nodeId}`);
    expect(codes.sort()).toEqual(['missing_input@b', 'node_invalid@h', 'param_out_of_range@a']);
    expect(await engine.listRuns()).toHaveLength(0);
  });

  it('replays a run with the same graph and seed, re-executing every node', async () => {
    const { engine, workspace } = await open();
    const graph = graphOf([{ id: 'h', type: 'stub.heavy', params: { steps: 3 } }], [], 77);
    const first = await engine.waitForRun((await engine.startRun({ graph })).runId);
    const replay = await engine.waitForRun((await engine.replayRun(first.id)).runId);
    expect(replay.replayOf).toBe(first.id);
    expect(replay.seed).toBe(77);
    expect(replay.nodes.h!.state).toBe('succeeded');
    expect(replay.nodes.h!.metrics).toEqual(first.nodes.h!.metrics);
    expect(readTrace(workspace).filter((t) => t.what === 'start')).toHaveLength(2);
  });

  it('records the run on disk with an event log', async () => {
    const { engine } = await open();
    const { runId } = await engine.startRun({ graph: graphOf([{ id: 'a', type: 'stub.source', params: { steps: 3 } }]) });
    await engine.waitForRun(runId);
    const run = await engine.getRun(runId);
    expect(run.graph.nodes[0]!.params).toMatchObject({ value: 'hello', steps: 3 });
    expect(run.versions.node).toBe(process.versions.node);
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    const log = await engine.getRunEvents(runId);
    expect(log.map((e) => e.type)).toContain('node-progress');
    expect(log.at(-1)).toMatchObject({ type: 'run-state', state: 'succeeded' });
    expect((await engine.listRuns())[0]).toMatchObject({ id: runId, state: 'succeeded', metrics: { 'a.chars': 5 } });
  });

  it('honours a pause sent the moment a node starts, before its worker has the job', async () => {
    const { engine, events } = await open();
    const graph = graphOf([{ id: 'train', type: 'stub.heavy', params: { steps: 400, stepMs: 20 } }]);
    let runId = '';
    const paused = new Promise<void>((resolve) => {
      engine.subscribe((e) => {
        if (e.type === 'node-state' && e.state === 'running' && e.nodeId === 'train') void engine.pauseRun(e.runId).then(resolve);
      });
    });
    ({ runId } = await engine.startRun({ graph }));
    await paused;
    await new Promise((r) => setTimeout(r, 1500));
    const progressed = events.filter((e) => e.type === 'node-progress' && e.nodeId === 'train').map((e) => (e as { step: number }).step);
    expect(Math.max(0, ...progressed)).toBeLessThanOrEqual(1);
    await engine.resumeRun(runId);
    expect((await engine.waitForRun(runId)).state).toBe('succeeded');
  });
});
