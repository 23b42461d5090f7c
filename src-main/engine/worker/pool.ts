import { randomUUID } from 'node:crypto';
import type { DeviceInfo, Progress } from '../../../nodes/sdk/index.ts';
import type { WorkerExit, WorkerLauncher, WorkerProcess } from './launcher.ts';
import type { HostToWorker, JobContext, WorkerToHost } from './protocol.ts';

export type JobOutcome =
  | { kind: 'done'; outputs: Record<string, unknown>; metrics?: Record<string, number>; backend?: string; closed?: { reason: string }; device?: DeviceInfo }
  | { kind: 'failed'; message: string; stack?: string; device?: DeviceInfo }
  | { kind: 'cancelled' };

export interface JobRequest {
  nodeType: string;
  inputs: Record<string, unknown>;
  params: Record<string, unknown>;
  ctx: JobContext;
}

export interface JobListeners {
  onProgress(progress: Progress): void;
  onLog(level: 'info' | 'warn' | 'error', message: string): void;
}

export interface JobHandle {
  readonly outcome: Promise<JobOutcome>;
  /** Asks the node to stop; kills its worker if it has not stopped after graceMs. */
  cancel(graceMs?: number): void;
  pause(): void;
  resume(): void;
}

/** Explains a worker's death in words a user can act on. */
export function describeWorkerExit(exit: WorkerExit, stderr: string): string {
  const oom = /heap out of memory|Allocation failed|out of memory|Aborted\(\)/i.test(stderr);
  const how = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
  let message = `the worker process running this node ${how}`;
  if (oom) message += ': it ran out of memory. Try a smaller batch size or model';
  else if (exit.signal === 'SIGKILL') message += '; the system may have run out of memory, or something stopped it';
  const lastLines = stderr.trim().split('\n').slice(-5).join('\n');
  return lastLines ? `${message}.\nLast output:\n${lastLines}` : `${message}.`;
}

/** A worker process once it has loaded the node registry. */
export class PooledWorker {
  readonly ready: Promise<void>;
  private listener: ((msg: WorkerToHost) => void) | null = null;
  private exitListener: ((exit: WorkerExit) => void) | null = null;
  exited: WorkerExit | null = null;
  /** The GPU this worker's process was started for; undefined: any job. */
  gpu: number | undefined;

  constructor(readonly proc: WorkerProcess, registryModule: string) {
    this.ready = new Promise<void>((resolve, reject) => {
      proc.onMessage((msg) => {
        if (msg.t === 'ready') resolve();
        else if (msg.t === 'init-failed') reject(new Error(`worker could not load the node registry: ${msg.message}`));
        else this.listener?.(msg);
      });
      proc.onExit((exit) => {
        this.exited = exit;
        reject(new Error(describeWorkerExit(exit, proc.stderrTail())));
        this.exitListener?.(exit);
      });
    });
    this.ready.catch(() => undefined);
    proc.postMessage({ t: 'init', registryModule });
  }

  attach(listener: (msg: WorkerToHost) => void, onExit: (exit: WorkerExit) => void) {
    this.listener = listener;
    this.exitListener = onExit;
  }

  detach() {
    this.listener = null;
    this.exitListener = null;
  }

  send(msg: HostToWorker) {
    this.proc.postMessage(msg);
  }
}

/**
 * Worker processes, reused between jobs so a light node costs a message rather than a process
 * start. A worker that dies takes only its own job with it.
 */
export class WorkerPool {
  private readonly idle: PooledWorker[] = [];
  private readonly all = new Set<PooledWorker>();

  constructor(
    private readonly launcher: WorkerLauncher,
    private readonly registryModule: string,
    private readonly maxIdle = 2,
    /** Whether workers are bound to one GPU each (the host found several and a way to bind them). */
    private readonly gpuBound = false,
  ) {}

  private spawn(gpu?: number): PooledWorker {
    const worker = new PooledWorker(this.launcher(gpu), this.registryModule);
    worker.gpu = gpu;
    this.all.add(worker);
    worker.ready.catch(() => this.all.delete(worker));
    return worker;
  }

  /** An idle worker bound to `gpu` (undefined: an unbound one), taken out of the idle list. */
  private takeIdle(gpu: number | undefined): PooledWorker | undefined {
    const at = this.idle.findLastIndex((w) => w.gpu === gpu);
    return at >= 0 ? this.idle.splice(at, 1)[0] : undefined;
  }

  /**
   * Starts a job on an idle worker, or a new one. With GPU binding (gpuBound), a job asking for GPU
   * index i runs in a worker started for GPU i: Vulkan's device choice is made when a process starts.
   */
  run(request: JobRequest, listeners: JobListeners): JobHandle {
    const gpu = this.gpuBound ? request.ctx.device?.gpuIndex : undefined;
    const worker = this.takeIdle(gpu) ?? this.spawn(gpu);
    const jobId = randomUUID();
    let killTimer: ReturnType<typeof setTimeout> | null = null;
    let settled = false;
    let cancelRequested = false;
    let sent = false;
    let paused = false;
    const outcome = new Promise<JobOutcome>((resolve) => {
      const finish = (result: JobOutcome, reusable: boolean) => {
        if (settled) return;
        settled = true;
        if (killTimer) clearTimeout(killTimer);
        worker.detach();
        if (reusable && !worker.exited && this.idle.length < this.maxIdle) this.idle.push(worker);
        else if (!worker.exited) {
          worker.proc.kill();
          this.all.delete(worker);
        } else this.all.delete(worker);
        resolve(result);
      };
      worker.attach(
        (msg) => {
          if (!('jobId' in msg) || msg.jobId !== jobId) return;
          switch (msg.t) {
            case 'progress':
              listeners.onProgress({ step: msg.step, total: msg.total, metrics: msg.metrics });
              break;
            case 'log':
              listeners.onLog(msg.level, msg.message);
              break;
            case 'done':
              finish({ kind: 'done', outputs: msg.outputs, metrics: msg.metrics, backend: msg.backend, device: msg.device, ...(msg.closed ? { closed: msg.closed } : {}) }, true);
              break;
            case 'failed':
              // A worker whose GPU job failed may hold a lost device or the failed step's buffers: not reused.
              finish({ kind: 'failed', message: msg.message, stack: msg.stack, device: msg.device }, msg.device?.backend !== 'webgpu');
              break;
            case 'cancelled':
              finish({ kind: 'cancelled' }, true);
              break;
          }
        },
        (exit) => {
          this.all.delete(worker);
          finish(cancelRequested ? { kind: 'cancelled' } : { kind: 'failed', message: describeWorkerExit(exit, worker.proc.stderrTail()) }, false);
        },
      );
      worker.ready.then(
        () => {
          sent = true;
          worker.send({ t: 'run', jobId, ...request, paused });
        },
        (err: Error) => finish(cancelRequested ? { kind: 'cancelled' } : { kind: 'failed', message: err.message }, false),
      );
    });
    return {
      outcome,
      cancel: (graceMs = 5000) => {
        if (settled || cancelRequested) return;
        cancelRequested = true;
        worker.send({ t: 'cancel', jobId });
        killTimer = setTimeout(() => worker.proc.kill(), graceMs);
      },
      // Before the job reaches its worker, remember the state; the run message carries it.
      pause: () => {
        paused = true;
        if (sent) worker.send({ t: 'pause' });
      },
      resume: () => {
        paused = false;
        if (sent) worker.send({ t: 'resume' });
      },
    };
  }

  /** Starts workers ahead of need (while the host plans), up to `count` idle ones. */
  warm(count: number): void {
    while (this.idle.length < Math.min(count, this.maxIdle)) this.idle.push(this.spawn());
  }

  /** Kills every worker; running jobs fail. */
  close(): void {
    for (const w of this.all) w.proc.kill();
    this.all.clear();
    this.idle.length = 0;
  }
}
