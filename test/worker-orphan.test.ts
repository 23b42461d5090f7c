/**
 * Workers stop with their host: after kill -9 of the process that drives a run, its worker (busy in
 * a step that never yields, as training is) exits within a step instead of training on alone.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readTrace, stubEngine, tempDir, waitFor } from './helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Running, not merely unreaped: an orphan that exited stays a zombie until init gets round to it. */
const alive = (pid: number) => {
  if (existsSync('/proc')) {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] !== 'Z';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('a worker whose host dies', () => {
  it('exits within a step or two, not at the end of its loop', async () => {
    const ws = tempDir();
    const host = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/fixtures/busy-host.ts'), ws], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    await waitFor(() => readTrace(ws).some((t) => t.what === 'start'), 20_000);
    const worker = readTrace(ws).find((t) => t.what === 'start')!.pid;
    expect(alive(worker)).toBe(true);
    host.kill('SIGKILL');
    const t0 = Date.now();
    await waitFor(() => !alive(worker), 5_000);
    // The loop has 2,000 steps of 25 ms: 50 s had the worker carried on.
    expect(Date.now() - t0).toBeLessThan(1000);
  }, 30_000);

  it('leaves a run that another process resumes at once (no waiting for the dead one to be reaped)', async () => {
    const ws = tempDir();
    const host = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/fixtures/busy-host.ts'), ws, '60'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    host.stdout.on('data', (d) => (out += d.toString()));
    await waitFor(() => /started \S+/.test(out) && readTrace(ws).some((t) => t.what === 'start'), 20_000);
    const runId = /started (\S+)/.exec(out)![1]!;
    host.kill('SIGKILL');
    await new Promise((r) => host.once('exit', r));
    const { engine } = await stubEngine(ws);
    try {
      expect((await engine.getRun(runId)).state).toBe('interrupted');
      await engine.resumeRun(runId);
      expect((await engine.waitForRun(runId)).state).toBe('succeeded');
    } finally {
      await engine.close();
    }
  }, 40_000);
});
