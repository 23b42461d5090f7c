import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FINAL_RUN_STATES, describeDevice, type RunEvent, type RunRecord, type RunSummary } from '../../nodes/sdk/index.ts';
import { sweepStaleTemps, writeJsonAtomic } from './atomic.ts';

const RUN_ID = /^[A-Za-z0-9_-]{1,80}$/;

export class RunNotFoundError extends Error {
  constructor(runId: string) {
    super(`no run "${runId}" in this workspace`);
    this.name = 'RunNotFoundError';
  }
}

/** Sortable, readable, unique: 20261127-214300-3fa9c1. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function summarize(run: RunRecord): RunSummary {
  const metrics: Record<string, number> = {};
  for (const [nodeId, node] of Object.entries(run.nodes)) {
    for (const [k, v] of Object.entries(node.metrics ?? {})) metrics[`${nodeId}.${k}`] = v;
  }
  return {
    id: run.id,
    state: run.state,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    durationMs: run.durationMs,
    seed: run.seed,
    replayOf: run.replayOf,
    name: run.graph.meta.name ?? run.graphFile ?? 'Untitled',
    graphFile: run.graphFile,
    nodeCount: run.graph.nodes.length,
    metrics,
    devices: [...new Set(Object.values(run.nodes).flatMap((n) => (n.device ? [describeDevice(n.device)] : [])))],
  };
}

/** Runs on disk: runs/<id>/run.json (rewritten atomically) and runs/<id>/events.jsonl (append-only). */
export class RunStore {
  // Per run: the write in flight, and the newest snapshot waiting behind it. Snapshots that are
  // overtaken before their turn are never written, so a burst of state changes costs two writes.
  private readonly writing = new Map<string, Promise<void>>();
  private readonly waiting = new Map<string, { snapshot: RunRecord; done: Promise<void>; resolve: () => void; reject: (e: unknown) => void }>();

  constructor(private readonly runsDir: string) {
    mkdirSync(runsDir, { recursive: true });
    // Record writes killed mid-way (kill -9, power loss) left temp files beside run.json.
    for (const name of readdirSync(runsDir)) if (RUN_ID.test(name)) sweepStaleTemps(join(runsDir, name));
  }

  private dir(runId: string): string {
    if (!RUN_ID.test(runId)) throw new RunNotFoundError(runId);
    return join(this.runsDir, runId);
  }

  async create(run: RunRecord): Promise<void> {
    mkdirSync(this.dir(run.id), { recursive: true });
    await this.save(run);
  }

  /** Persists a snapshot of the record (copied now); resolves once it, or a newer one, is on disk. */
  save(run: RunRecord): Promise<void> {
    const snapshot = structuredClone(run);
    const queued = this.waiting.get(run.id);
    if (queued) {
      queued.snapshot = snapshot;
      return queued.done;
    }
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.waiting.set(run.id, { snapshot, done, resolve, reject });
    if (!this.writing.has(run.id)) void this.drain(run.id);
    return done;
  }

  private async drain(runId: string): Promise<void> {
    for (let next = this.waiting.get(runId); next; next = this.waiting.get(runId)) {
      this.waiting.delete(runId);
      const write = writeJsonAtomic(join(this.dir(runId), 'run.json'), next.snapshot);
      this.writing.set(runId, write);
      try {
        await write;
        next.resolve();
      } catch (err) {
        next.reject(err);
      }
    }
    this.writing.delete(runId);
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.writing.values(), ...[...this.waiting.values()].map((w) => w.done)]);
  }

  appendEvent(event: RunEvent): void {
    appendFileSync(join(this.dir(event.runId), 'events.jsonl'), JSON.stringify(event) + '\n');
  }

  get(runId: string): RunRecord {
    const path = join(this.dir(runId), 'run.json');
    if (!existsSync(path)) throw new RunNotFoundError(runId);
    return JSON.parse(readFileSync(path, 'utf8')) as RunRecord;
  }

  events(runId: string): RunEvent[] {
    const path = join(this.dir(runId), 'events.jsonl');
    if (!existsSync(path)) return [];
    const events: RunEvent[] = [];
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        events.push(JSON.parse(line) as RunEvent);
      } catch {
        // A crash can tear the last line of an append-only log; everything before it stands.
      }
    }
    return events;
  }

  list(): RunSummary[] {
    const out: RunSummary[] = [];
    for (const name of readdirSync(this.runsDir)) {
      if (!RUN_ID.test(name)) continue;
      try {
        out.push(summarize(this.get(name)));
      } catch {
        // A folder without a readable run.json is not a run.
      }
    }
    return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }

  /**
   * Marks runs whose owning process died (kill -9, power loss) as interrupted, so they can be
   * resumed. Runs owned by live processes are left alone: another Weft may be running them.
   */
  /**
   * Marks runs whose process is gone as interrupted. `stillRunning` says whether a run's owner on this
   * machine is alive; by default its pid, which a zombie or a reused pid can fake: the engine passes
   * a check of the run's OS-released lock.
   */
  async recoverInterrupted(stillRunning: (run: RunRecord) => Promise<boolean> = async (run) => isAlive(run.owner!.pid)): Promise<string[]> {
    const recovered: string[] = [];
    const host = hostname();
    for (const summary of this.list()) {
      if (FINAL_RUN_STATES.includes(summary.state)) continue;
      const run = this.get(summary.id);
      if (run.owner && run.owner.host === host && (await stillRunning(run))) continue;
      run.state = 'interrupted';
      run.owner = undefined;
      run.endedAt = new Date().toISOString();
      for (const node of Object.values(run.nodes)) {
        if (node.state === 'running' || node.state === 'queued') {
          node.state = 'idle';
          node.error = 'interrupted: the process running it stopped';
        }
      }
      await this.save(run);
      this.appendEvent({ type: 'run-state', runId: run.id, state: 'interrupted', at: run.endedAt, error: 'the process running this run stopped' });
      recovered.push(run.id);
    }
    return recovered;
  }
}
