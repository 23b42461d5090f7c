/**
 * The run engine: how a run works, and nothing else. It checks a graph once, plans it, looks its
 * nodes up in the cache once, and drives it (run machine + controller) in worker processes; it
 * keeps the run records. Hosts (src-main/host) build the user-facing API on top of it.
 */
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  GraphInvalidError,
  type AnyNodeDefinition,
  type Catalogue,
  type Graph,
  type RunEvent,
  type RunRecord,
  type RunSummary,
  type StartRunRequest,
  type ValidateResult,
} from '../../nodes/sdk/index.ts';
import type { CacheEntry, CacheStore } from '../store/cache-store.ts';
import { RunStore, newRunId } from '../store/run-store.ts';
import type { WorkspacePaths } from '../store/workspace.ts';
import type { ReadRoot } from './paths.ts';
import { checkForRun, planRun, type Checked, type HostValidationEnv } from './prepare.ts';
import { RunStateError } from './run-state-error.ts';
import { tryLock } from './process-lock.ts';
import { RunController } from './run-controller.ts';
import type { RunLimits } from './run-machine.ts';
import { ContentHasher } from './signature.ts';
import type { WorkerLauncher } from './worker/launcher.ts';
import { WorkerPool } from './worker/pool.ts';

export interface RunEngineOptions {
  paths: WorkspacePaths;
  catalogue: Catalogue;
  store: RunStore;
  cache: CacheStore;
  launcher: WorkerLauncher;
  /** Module a worker imports to find node run() functions; must export `nodeRegistry`. */
  registryModule: string;
  limits?: Partial<RunLimits>;
  /**
   * GPUs (WebGPU adapters) on this machine. With more than one, the heavy-node limit applies per GPU
   * and heavy nodes go round-robin to the least busy one. Default 1: behaviour as with one GPU.
   */
  gpuCount?: number;
  /**
   * Whether the launcher binds a worker to the GPU it is started for (launcher(gpu)); then a heavy
   * node's job runs in a worker of its GPU. Without it, the worker picks the adapter by index itself.
   */
  gpuBound?: boolean;
  /** Where a graph in graphDir may read files from (asked at each check: picks can change). */
  readRoots(graphDir: string): ReadRoot[];
  /** Every run event, as it happens (after it is appended to the run's event log). */
  emit(event: RunEvent): void;
  /** The memory training may use on each device, for validation's memory check; absent: no check. */
  trainingMemory?: HostValidationEnv['trainingMemory'];
}

function readVersions(): Record<string, string> {
  const versions: Record<string, string> = { node: process.versions.node };
  const pkgPath = resolve(dirname(fileURLToPath(import.meta.url)), '../../package.json');
  try {
    versions.weft = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version;
  } catch {
    versions.weft = 'unknown';
  }
  const require = createRequire(import.meta.url);
  for (const dep of ['@tensorflow/tfjs-core', 'xstate']) {
    try {
      versions[dep] = (require(`${dep}/package.json`) as { version: string }).version;
    } catch {
      // Not installed, or it hides its package.json: nothing to record.
    }
  }
  return versions;
}

export class RunEngine {
  private readonly pool: WorkerPool;
  private readonly hasher = new ContentHasher();
  private readonly active = new Map<string, RunController>();
  private readonly limits: RunLimits;
  private readonly versions = readVersions();
  private readonly gpuCount: number;

  constructor(private readonly options: RunEngineOptions) {
    // Workers are bound to one GPU each when the host has a way to (gpuBound) and several GPUs.
    this.pool = new WorkerPool(options.launcher, options.registryModule, 2, options.gpuBound === true && (options.gpuCount ?? 1) > 1);
    // The machine schedules heavy nodes against the sum of the per-GPU limits; the controller spreads them.
    const perDevice = options.limits?.maxHeavy ?? 1;
    this.limits = { maxConcurrent: options.limits?.maxConcurrent ?? 4, maxHeavy: perDevice * Math.max(1, options.gpuCount ?? 1) };
    this.gpuCount = Math.max(1, options.gpuCount ?? 1);
  }

  private check(graph: unknown, graphDir: string) {
    const host: HostValidationEnv = { workspace: this.options.paths.root, ...(this.options.trainingMemory ? { trainingMemory: this.options.trainingMemory } : {}) };
    return checkForRun(graph, this.options.catalogue, graphDir, this.options.readRoots(graphDir), host);
  }

  private emit = (event: RunEvent): void => {
    try {
      this.options.store.appendEvent(event);
    } catch {
      // A full disk must not stop the run; run.json still records the outcome when it can.
    }
    this.options.emit(event);
  };

  async validate(graph: unknown, graphDir: string): Promise<ValidateResult> {
    const result = this.check(graph, resolve(graphDir));
    const warnings = result.ok ? result.checked.warnings : result.warnings;
    // Warnings only when there are some: the answer to a clean graph stays { ok, errors }.
    return { ok: result.ok, errors: result.ok ? [] : result.errors, ...(warnings.length ? { warnings } : {}) };
  }

  async start(request: StartRunRequest & { replayOf?: string }): Promise<{ runId: string }> {
    const graphDir = resolve(request.graphDir ?? this.options.paths.root);
    const checked = this.check(request.graph, graphDir);
    if (!checked.ok) throw new GraphInvalidError(checked.errors);
    const seed = request.seed ?? checked.checked.graph.seed;
    const graph: Graph = { ...checked.checked.graph, seed };
    const now = new Date();
    const record: RunRecord = {
      id: newRunId(now),
      state: 'validating',
      createdAt: now.toISOString(),
      graph,
      graphDir,
      graphFile: request.graphFile,
      seed,
      backends: [],
      versions: this.versions,
      owner: { pid: process.pid, host: hostname() },
      replayOf: request.replayOf,
      nodes: Object.fromEntries(graph.nodes.map((n) => [n.id, { state: 'queued' as const }])),
    };
    await this.options.store.create(record);
    await this.launch(record, checked.checked, request.noCache ?? false);
    return { runId: record.id };
  }

  /** Plans a checked graph, looks each node up in the cache once, and starts the run. */
  private async launch(record: RunRecord, checked: Checked, noCache: boolean): Promise<void> {
    // Held while this process drives the run: another process sees the run as live, and the OS frees
    // it the moment this process dies, so a resume after kill -9 is never refused.
    const runLock = await tryLock(this.runLockKey(record.id));
    const planned = await planRun(checked, this.options.catalogue, record.seed, this.hasher);
    const cacheHits = new Map<string, CacheEntry>();
    if (!noCache) {
      for (const id of planned.plan.order) {
        if (planned.defs.get(id)?.uncached) continue;
        const entry = this.options.cache.lookup(planned.signatures[id]!);
        if (entry) cacheHits.set(id, entry);
      }
    }
    // Start workers now, for the nodes the cache cannot answer, so their start-up overlaps the first nodes.
    this.pool.warm(Math.min(this.limits.maxConcurrent, planned.plan.order.length - cacheHits.size));
    const controller = new RunController(
      { record, plan: planned.plan, nodes: checked.nodes, defs: planned.defs, signatures: planned.signatures, inputEdges: planned.inputEdges, cacheHits },
      {
        pool: this.pool,
        cache: this.options.cache,
        store: this.options.store,
        checkpointsDir: this.options.paths.checkpoints,
        workspace: this.options.paths.root,
        limits: this.limits,
        gpuCount: this.gpuCount,
        emit: this.emit,
      },
    );
    this.active.set(record.id, controller);
    void controller.finished.then(() => {
      this.active.delete(record.id);
      void runLock?.release();
    });
    controller.start();
  }

  private runLockKey(runId: string): string {
    return `${this.options.paths.root}\u0000run\u0000${runId}`;
  }

  /** Runs left active by a process that is gone become interrupted; a run's lock says whether its process lives. */
  async recoverInterrupted(): Promise<string[]> {
    return this.options.store.recoverInterrupted(async (run) => {
      if (this.active.has(run.id)) return true;
      const probe = await tryLock(this.runLockKey(run.id));
      if (!probe) return true;
      await probe.release();
      return false;
    });
  }

  private activeRun(runId: string): RunController {
    const run = this.active.get(runId);
    if (!run) throw new RunStateError(`run ${runId} is not running in this Weft`);
    return run;
  }

  cancel(runId: string): void {
    this.activeRun(runId).cancel();
  }

  pause(runId: string): void {
    this.activeRun(runId).pause();
  }

  /** Resumes a paused run, or continues an interrupted, failed or cancelled one where it stopped. */
  async resume(runId: string): Promise<void> {
    const live = this.active.get(runId);
    if (live) {
      live.resume();
      return;
    }
    const { store } = this.options;
    await this.recoverInterrupted();
    const record = store.get(runId);
    if (record.state === 'succeeded') throw new RunStateError(`run ${runId} already succeeded; use replay to run it again`);
    if (record.state !== 'interrupted' && record.state !== 'failed' && record.state !== 'cancelled') {
      throw new RunStateError(`run ${runId} is ${record.state} in another Weft process`);
    }
    const checked = this.check(record.graph, record.graphDir);
    if (!checked.ok) throw new GraphInvalidError(checked.errors);
    record.state = 'validating';
    record.owner = { pid: process.pid, host: hostname() };
    record.endedAt = undefined;
    record.durationMs = undefined;
    record.error = undefined;
    record.resumedAt = [...(record.resumedAt ?? []), new Date().toISOString()];
    for (const node of Object.values(record.nodes)) {
      node.state = 'queued';
      node.error = undefined;
      node.closed = undefined;
    }
    await store.save(record);
    // Finished nodes come back as cache hits; a training node finds its checkpoint by signature.
    await this.launch(record, checked.checked, false);
  }

  /**
   * Runs a past run's graph again with its seed, every node re-executed. Node types that name
   * something movable (a Hub branch) pin it to what the past run used (`pinForReplay`), so the
   * replay's graph snapshot says exactly which weights it ran with.
   */
  async replay(runId: string): Promise<{ runId: string }> {
    const past = this.options.store.get(runId);
    const nodes = past.graph.nodes.map((node) => {
      const pinned = this.options.catalogue.get(node.type)?.pinForReplay?.(node.params, past.nodes[node.id]?.outputs ?? {});
      return pinned ? { ...node, params: pinned as typeof node.params } : node;
    });
    const graph = { ...past.graph, nodes };
    return this.start({ graph, graphDir: past.graphDir, graphFile: past.graphFile, seed: past.seed, noCache: true, replayOf: runId });
  }

  /** Runs this engine drives now, newest first (run ids start with their creation time). */
  activeIds(): string[] {
    return [...this.active.keys()].sort().reverse();
  }

  list(): RunSummary[] {
    return this.options.store.list();
  }

  get(runId: string): RunRecord {
    return this.options.store.get(runId);
  }

  events(runId: string): RunEvent[] {
    this.options.store.get(runId);
    return this.options.store.events(runId);
  }

  /** Resolves with the final record when a run started in this engine ends. */
  async waitFor(runId: string): Promise<RunRecord> {
    const run = this.active.get(runId);
    return run ? run.finished : this.options.store.get(runId);
  }

  async close(): Promise<void> {
    this.pool.close();
    await this.options.store.flush();
  }
}

export { RunStateError };
export type { AnyNodeDefinition };
