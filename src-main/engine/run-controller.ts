import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createActor, type Actor } from 'xstate';
import type { AnyNodeDefinition, DeviceRequest, GraphNode, NodeState, Progress, RunEvent, RunRecord, RunState } from '../../nodes/sdk/index.ts';
import type { CacheEntry, CacheStore } from '../store/cache-store.ts';
import type { RunStore } from '../store/run-store.ts';
import { etaEstimator } from './progress.ts';
import { tryLock, type ProcessLock } from './process-lock.ts';
import { runMachine, type RunLimits, type RunPlan } from './run-machine.ts';
import { nodeSeed } from './signature.ts';
import type { JobHandle, WorkerPool } from './worker/pool.ts';
import { explainWriteError, isDiskFullMessage } from '../../nodes/sdk/disk-full.ts';

/** Warnings kept per node in the record; the event log has them all. */
const MAX_WARNINGS = 50;

export interface PreparedRun {
  record: RunRecord;
  plan: RunPlan;
  /** Nodes with params resolved for execution (absolute file paths). */
  nodes: ReadonlyMap<string, GraphNode>;
  defs: ReadonlyMap<string, AnyNodeDefinition>;
  signatures: Readonly<Record<string, string>>;
  /** Per node, where each connected input comes from. */
  inputEdges: Readonly<Record<string, ReadonlyArray<{ port: string; source: string; sourceHandle: string }>>>;
  /** What the cache already holds, looked up once before the run starts (empty without the cache). */
  cacheHits: ReadonlyMap<string, CacheEntry>;
}

export interface ControllerDeps {
  pool: WorkerPool;
  cache: CacheStore;
  store: RunStore;
  checkpointsDir: string;
  workspace: string;
  limits: RunLimits;
  /** WebGPU adapters to spread heavy nodes over (1: all on the first). */
  gpuCount?: number;
  emit(event: RunEvent): void;
}

/**
 * Drives one run: the xstate machine decides, this class does (workers, cache, record, events).
 * Node states live in the machine only; the record on disk takes them from each machine snapshot.
 */
export class RunController {
  private readonly actor: Actor<typeof runMachine>;
  private readonly jobs = new Map<string, JobHandle>();
  /** The GPU each running heavy node was given, so the next goes to the least busy one. */
  private readonly gpuOf = new Map<string, number>();
  /** Nodes waiting for their signature's lock, and those of them cancelled meanwhile. */
  private readonly locking = new Set<string>();
  private readonly cancelledWhileLocking = new Set<string>();
  private paused = false;
  /** Why the last save of the record failed, if it did. */
  private unsaved: Error | null = null;
  private readonly record: RunRecord;
  readonly finished: Promise<RunRecord>;
  private resolveFinished!: (r: RunRecord) => void;

  constructor(
    private readonly run: PreparedRun,
    private readonly deps: ControllerDeps,
  ) {
    this.record = run.record;
    this.finished = new Promise((r) => (this.resolveFinished = r));
    this.actor = createActor(runMachine, {
      input: {
        plan: run.plan,
        limits: deps.limits,
        effects: {
          isCached: (id) => run.cacheHits.has(id),
          cachedClosed: (id) => run.cacheHits.get(id)?.closed?.reason,
          startNode: (id) => void this.lockAndStart(id),
          abortNode: (id) => {
            if (this.locking.has(id)) this.cancelledWhileLocking.add(id);
            this.jobs.get(id)?.cancel();
          },
          pauseNodes: () => {
            this.paused = true;
            this.jobs.forEach((j) => j.pause());
          },
          resumeNodes: () => {
            this.paused = false;
            this.jobs.forEach((j) => j.resume());
          },
          nodeState: (id, state, error) => this.onNodeState(id, state, error),
          runState: (state, nodes) => this.onRunState(state, nodes),
        },
      },
    });
    // After every transition: the record takes the machine's node states and is saved; the
    // final one resolves `finished` once it is on disk.
    this.actor.subscribe((snapshot) => {
      for (const [id, state] of Object.entries(snapshot.context.nodes)) this.record.nodes[id]!.state = state;
      // A write that fails (a full disk) must neither crash the process (nobody else awaits it) nor
      // stop the run: the record on disk keeps its last good version, and the next save tries again.
      const saved = this.deps.store.save(this.record).then(
        () => true,
        (err: unknown) => {
          this.unsaved = err instanceof Error ? err : new Error(String(err));
          return false;
        },
      );
      if (snapshot.status === 'done') void saved.then((ok) => this.finish(ok));
    });
  }

  /**
   * The run has ended. When its final record could not be written, the record on disk still says
   * "running": this process reports the run interrupted, and so will any Weft that opens the
   * workspace later (the run's lock is gone), so it can be resumed once there is space again.
   */
  private finish(saved: boolean): void {
    if (!saved && this.unsaved) {
      const why = `the run's record could not be saved: ${this.unsaved.message}`;
      if (this.record.state === 'succeeded') this.record.state = 'interrupted';
      this.record.error = this.record.error ? `${this.record.error}\n${why}` : why;
      this.deps.emit({ type: 'run-state', runId: this.record.id, state: this.record.state, at: this.now(), error: this.record.error });
    }
    this.resolveFinished(structuredClone(this.record));
  }

  get runId(): string {
    return this.record.id;
  }

  get state(): RunState {
    return this.record.state;
  }

  start(): void {
    this.actor.start();
  }

  pause(): void {
    this.actor.send({ type: 'PAUSE' });
  }

  resume(): void {
    this.actor.send({ type: 'RESUME' });
  }

  cancel(): void {
    this.actor.send({ type: 'CANCEL' });
  }

  private now(): string {
    return new Date().toISOString();
  }

  /** A node the machine answered from the cache takes its outputs from the entry found before the run. */
  private fillFromCache(nodeId: string): void {
    const entry = this.run.cacheHits.get(nodeId)!;
    const node = this.record.nodes[nodeId]!;
    node.outputs = entry.outputs;
    node.metrics = entry.metrics;
    node.artifactDir = entry.artifactDir;
    node.backend = entry.backend;
    node.device = entry.device;
    node.cachedFrom = entry.runId;
    node.closed = entry.closed?.reason;
    node.warnings = entry.warnings;
  }

  /**
   * One process at a time executes a given node signature in a workspace: two runs (or a run and a
   * resume) must never train into one checkpoint folder. The lock is released by the OS if this
   * process dies.
   */
  private async lockAndStart(nodeId: string): Promise<void> {
    this.locking.add(nodeId);
    let lock: ProcessLock | null = null;
    try {
      lock = await tryLock(`${this.deps.workspace}\u0000${this.run.signatures[nodeId]}`);
    } catch (e) {
      this.locking.delete(nodeId);
      return void this.actor.send({ type: 'NODE_FAILED', nodeId, error: `could not take the node's lock: ${(e as Error).message}` });
    }
    this.locking.delete(nodeId);
    if (this.cancelledWhileLocking.delete(nodeId)) {
      await lock?.release();
      return void this.actor.send({ type: 'NODE_CANCELLED', nodeId });
    }
    if (!lock) {
      return void this.actor.send({
        type: 'NODE_FAILED',
        nodeId,
        error: 'this exact node (same settings and inputs) is running in another Weft run in this workspace; two runs must not train into one checkpoint folder. Wait for it to finish, or cancel it, then run again.',
      });
    }
    try {
      this.startNode(nodeId, lock);
    } catch (err) {
      // Its folders could not be made (a full disk): this node fails, the run goes on and ends.
      await lock.release();
      this.jobs.delete(nodeId);
      this.actor.send({ type: 'NODE_FAILED', nodeId, error: (explainWriteError(err, this.deps.workspace) as Error).message });
    }
  }

  private startNode(nodeId: string, lock: ProcessLock): void {
    const node = this.run.nodes.get(nodeId)!;
    const def = this.run.defs.get(nodeId)!;
    const signature = this.run.signatures[nodeId]!;
    const inputs: Record<string, unknown> = {};
    for (const edge of this.run.inputEdges[nodeId] ?? []) {
      inputs[edge.port] = this.record.nodes[edge.source]!.outputs?.[edge.sourceHandle];
    }
    const artifactDir = this.deps.cache.prepare(signature, this.record.id);
    const checkpointDir = join(this.deps.checkpointsDir, signature);
    mkdirSync(checkpointDir, { recursive: true });
    const startedAt = Date.now();
    const rec = this.record.nodes[nodeId]!;
    rec.artifactDir = artifactDir;

    // Progress arrives already throttled by the worker; the host only adds the ETA.
    const eta = etaEstimator();
    const job = this.deps.pool.run(
      {
        nodeType: def.type,
        inputs,
        params: node.params,
        ctx: { nodeId, artifactDir, checkpointDir, seed: nodeSeed(this.record.seed, nodeId), workspace: this.deps.workspace, device: this.deviceRequest(nodeId, node, def.heavy === true) },
      },
      {
        onProgress: (p: Progress) => {
          const etaMs = eta(p.step, p.total);
          rec.step = p.step;
          rec.total = p.total;
          if (p.metrics) rec.metrics = { ...rec.metrics, ...p.metrics };
          this.deps.emit({ type: 'node-progress', runId: this.record.id, nodeId, at: this.now(), step: p.step, total: p.total, metrics: p.metrics, etaMs });
        },
        onLog: (level, message) => {
          if (level === 'warn' && (rec.warnings ??= []).length < MAX_WARNINGS) rec.warnings.push(message);
          this.deps.emit({ type: 'node-log', runId: this.record.id, nodeId, at: this.now(), level, message });
        },
      },
    );
    this.jobs.set(nodeId, job);
    if (this.paused) job.pause();
    void job.outcome.then(async (outcome) => {
      this.jobs.delete(nodeId);
      this.gpuOf.delete(nodeId);
      if (outcome.kind !== 'cancelled' && outcome.device) rec.device = outcome.device;
      if (outcome.kind === 'cancelled') return this.actor.send({ type: 'NODE_CANCELLED', nodeId });
      if (outcome.kind === 'failed') {
        // The message is for the user; the stack goes to the node's log for whoever debugs it.
        if (outcome.stack) this.deps.emit({ type: 'node-log', runId: this.record.id, nodeId, at: this.now(), level: 'error', message: outcome.stack });
        // What the node half-wrote before the disk filled would keep it full; nothing can use it.
        if (isDiskFullMessage(outcome.message)) rmSync(artifactDir, { recursive: true, force: true });
        return this.actor.send({ type: 'NODE_FAILED', nodeId, error: outcome.message });
      }
      const missing = Object.keys(def.outputs).filter((port) => outcome.outputs[port] === undefined);
      if (missing.length) {
        return this.actor.send({ type: 'NODE_FAILED', nodeId, error: `${def.type} finished without a value for output ${missing.map((m) => `"${m}"`).join(', ')}` });
      }
      rec.outputs = outcome.outputs;
      rec.metrics = { ...rec.metrics, ...outcome.metrics };
      rec.backend = outcome.backend;
      if (outcome.closed) rec.closed = outcome.closed.reason;
      if (outcome.backend && !this.record.backends.includes(outcome.backend)) this.record.backends.push(outcome.backend);
      try {
        await this.deps.cache.commit({
          signature,
          nodeType: def.type,
          runId: this.record.id,
          nodeId,
          createdAt: this.now(),
          artifactDir,
          outputs: outcome.outputs,
          metrics: rec.metrics,
          backend: outcome.backend,
          ...(outcome.closed ? { closed: outcome.closed } : {}),
          warnings: rec.warnings,
          device: outcome.device,
          durationMs: Date.now() - startedAt,
        });
      } catch (err) {
        // Without its result.json the folder is no cache entry, only space a full disk needs back.
        rmSync(artifactDir, { recursive: true, force: true });
        return this.actor.send({ type: 'NODE_FAILED', nodeId, error: `could not save the result: ${(err as Error).message}` });
      }
      // The result is safe in the cache; checkpoints of this exact node are no longer needed.
      rmSync(checkpointDir, { recursive: true, force: true });
      this.actor.send(outcome.closed ? { type: 'NODE_CLOSED', nodeId, reason: outcome.closed.reason } : { type: 'NODE_SUCCEEDED', nodeId });
    })
      // Held until the result is in the cache and the checkpoints are gone, whatever the outcome.
      .finally(() => void lock.release());
  }

  /** The node's own device choice, else the graph's; heavy nodes get the least busy GPU. */
  private deviceRequest(nodeId: string, node: GraphNode, heavy: boolean): DeviceRequest {
    const preference = node.device ?? this.record.graph.device ?? 'auto';
    const gpus = this.deps.gpuCount ?? 1;
    if (!heavy || gpus <= 1 || preference === 'cpu') return { preference };
    const busy = new Array<number>(gpus).fill(0);
    for (const g of this.gpuOf.values()) busy[g]!++;
    const gpuIndex = busy.indexOf(Math.min(...busy));
    this.gpuOf.set(nodeId, gpuIndex);
    return { preference, gpuIndex };
  }

  private onNodeState(nodeId: string, state: NodeState, error?: string): void {
    const rec = this.record.nodes[nodeId]!;
    const at = this.now();
    if (state === 'cached') this.fillFromCache(nodeId);
    rec.signature = this.run.signatures[nodeId];
    if (state === 'running') {
      rec.startedAt = at;
      rec.error = undefined;
      rec.warnings = undefined;
      rec.endedAt = undefined;
      rec.durationMs = undefined;
      rec.closed = undefined;
    } else {
      rec.endedAt = at;
      if (rec.startedAt && state !== 'cached' && state !== 'skipped') rec.durationMs = Date.parse(at) - Date.parse(rec.startedAt);
      if (error) rec.error = error;
    }
    this.deps.emit({
      type: 'node-state',
      runId: this.record.id,
      nodeId,
      state,
      at,
      ...(error ? { error } : {}),
      ...(rec.closed && state !== 'running' ? { closed: rec.closed } : {}),
      ...(rec.metrics && state !== 'running' ? { metrics: rec.metrics } : {}),
      ...(rec.device && state !== 'running' ? { device: rec.device } : {}),
      // A cached node logs nothing in this run: its warnings travel with its state.
      ...(rec.warnings?.length && state === 'cached' ? { warnings: rec.warnings } : {}),
    });
  }

  private onRunState(state: RunState, nodes: Readonly<Record<string, NodeState>>): void {
    const at = this.now();
    this.record.state = state;
    if (state === 'running' && !this.record.startedAt) this.record.startedAt = at;
    const final = state === 'succeeded' || state === 'failed' || state === 'cancelled';
    if (final) {
      this.record.endedAt = at;
      this.record.durationMs = Date.parse(at) - Date.parse(this.record.startedAt ?? this.record.createdAt);
      this.record.owner = undefined;
      const failed = Object.keys(nodes).filter((id) => nodes[id] === 'failed');
      if (failed.length) this.record.error = failed.map((id) => `${id}: ${this.record.nodes[id]!.error}`).join('\n');
    }
    this.deps.emit({ type: 'run-state', runId: this.record.id, state, at, ...(final && this.record.error ? { error: this.record.error } : {}) });
  }
}
