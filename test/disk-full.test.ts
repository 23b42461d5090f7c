/**
 * A full disk in the middle of a run (issue 10): the process must not die (a rejected record write
 * that nobody awaited used to be an unhandled rejection, fatal to the CLI and `weft serve`), the
 * node must say which disk is full, nothing half-written stays, and the run resumes once space is
 * back. The host process's writes (run records, cache entries) meet the full disk through the
 * atomic writer, injected here; workers are real processes.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const disk = vi.hoisted(() => ({ full: false, refused: 0 }));

vi.mock('../src-main/store/atomic.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src-main/store/atomic.ts')>();
  const { explainWriteError } = await import('../nodes/sdk/disk-full.ts');
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  return {
    ...real,
    writeFileAtomic: async (path: string, data: string | Uint8Array) => {
      if (disk.full) {
        disk.refused++;
        throw explainWriteError(enospc(), path, data.length);
      }
      return real.writeFileAtomic(path, data);
    },
    writeJsonAtomic: async (path: string, value: unknown) => {
      if (disk.full) {
        disk.refused++;
        throw explainWriteError(enospc(), path, JSON.stringify(value).length);
      }
      return real.writeJsonAtomic(path, value);
    },
  };
});

const { graphOf, stubEngine, waitFor } = await import('./helpers.ts');
type Host = Awaited<ReturnType<typeof stubEngine>>['engine'];

const hosts: Host[] = [];
afterEach(async () => {
  disk.full = false;
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});

describe('a full disk during a run', () => {
  it('fails the node with the disk it needs, keeps the process and the last good record, and resumes once space is back', async () => {
    const { engine, events, workspace } = await stubEngine();
    hosts.push(engine);
    const graph = graphOf(
      [
        { id: 'a', type: 'stub.source', params: { value: 'A', steps: 20, stepMs: 40 } },
        { id: 'b', type: 'stub.append', version: 2, params: { suffix: 'B' } },
      ],
      [['a', 'out', 'b', 'in']],
    );
    const { runId } = await engine.startRun({ graph });
    await waitFor(() => events.some((e) => e.type === 'node-progress' && e.nodeId === 'a'), 60_000);
    disk.full = true;
    const ended = await engine.waitForRun(runId);

    expect(disk.refused).toBeGreaterThan(0);
    expect(ended.state).toBe('failed');
    expect(ended.nodes.a!.state).toBe('failed');
    expect(ended.nodes.a!.error).toMatch(new RegExp(`^could not save the result: the disk holding ${join(workspace, 'cache')}/[0-9a-f]{64}/result\\.json is full \\(needs about 1 MB\\)`));
    expect(ended.error).toContain("the run's record could not be saved: the disk holding");
    // The node's uncommitted files are gone: they would only keep the disk full.
    expect(existsSync(ended.nodes.a!.artifactDir!)).toBe(false);
    // The record on disk is its last good version, whole (it says running: nothing could record the end).
    const onDisk = JSON.parse(readFileSync(join(workspace, 'runs', runId, 'run.json'), 'utf8')) as { state: string };
    expect(onDisk.state).toBe('running');

    // Space is back: the run is seen as interrupted and resumes to the end, in this same process.
    disk.full = false;
    expect((await engine.listRuns()).find((r) => r.id === runId)?.state).toBe('running');
    await engine.resumeRun(runId);
    const resumed = await engine.waitForRun(runId);
    expect(resumed.state).toBe('succeeded');
    expect(readFileSync((resumed.nodes.b!.outputs!.out as { path: string }).path, 'utf8')).toBe('AB');
    expect(JSON.parse(readFileSync(join(workspace, 'runs', runId, 'run.json'), 'utf8')).state).toBe('succeeded');
    expect(readdirSync(join(workspace, 'runs', runId)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(join(workspace, 'runs', runId, 'events.jsonl'))).toBe(true);
  }, 120_000);

  // /dev/full is Linux's always-full device: a real ENOSPC from a node's own write, in a real worker.
  it.skipIf(!existsSync('/dev/full'))('a node whose own write meets a full disk fails saying which disk, not a bare ENOSPC', async () => {
    const { engine } = await stubEngine();
    hosts.push(engine);
    const run = await engine.waitForRun((await engine.startRun({ graph: graphOf([{ id: 'w', type: 'stub.fill-disk' }]) })).runId);
    expect(run.state).toBe('failed');
    expect(run.nodes.w!.error).toBe(`the disk holding ${run.nodes.w!.artifactDir} is full; free some space, then resume the run`);
    expect(existsSync(run.nodes.w!.artifactDir!)).toBe(false);
  }, 120_000);
});
