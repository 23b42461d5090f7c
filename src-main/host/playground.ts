/**
 * The host side of the playground: one worker process of its own (so a long training run and a
 * chat do not wait on each other), one generation at a time, streamed as events.
 */
import { randomUUID } from 'node:crypto';
import type { PlaygroundEvent } from '../../nodes/sdk/runs.ts';
import type { GenerationStats, SessionRequest } from '../../nodes/sdk/index.ts';
import type { WorkerLauncher } from '../engine/worker/launcher.ts';
import { PooledWorker, describeWorkerExit } from '../engine/worker/pool.ts';
import type { WorkerToHost } from '../engine/worker/protocol.ts';

interface Pending {
  id: string;
  request: SessionRequest;
}

const EMPTY_STATS: GenerationStats = { reason: 'error', promptTokens: 0, promptTokensDropped: 0, tokens: 0, tokensPerSecond: 0, firstTokenMs: 0 };

export class PlaygroundHost {
  private worker: PooledWorker | null = null;
  private readonly queue: Pending[] = [];
  private current: { id: string; cancelled: boolean } | null = null;
  private closed = false;

  constructor(
    private readonly launcher: WorkerLauncher,
    private readonly registryModule: string,
    private readonly emit: (event: PlaygroundEvent) => void,
  ) {}

  /** Queues a generation; its text and its end arrive as events under the returned id. */
  start(request: SessionRequest): string {
    if (this.closed) throw new Error('the playground is closed');
    const id = randomUUID();
    this.queue.push({ id, request });
    void this.pump();
    return id;
  }

  stop(id: string): void {
    const queued = this.queue.findIndex((p) => p.id === id);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.end(id, { ...EMPTY_STATS, reason: 'cancelled' });
    } else if (this.current?.id === id) {
      this.current.cancelled = true;
      this.worker?.send({ t: 'cancel', jobId: id });
    }
  }

  private end(id: string, stats: GenerationStats, error?: string) {
    this.emit({ type: 'generation-end', generationId: id, at: new Date().toISOString(), stats, ...(error ? { error } : {}) });
  }

  private spawn(): PooledWorker {
    if (this.worker && !this.worker.exited) return this.worker;
    this.worker = new PooledWorker(this.launcher(), this.registryModule);
    return this.worker;
  }

  private async pump(): Promise<void> {
    if (this.current || this.closed) return;
    const next = this.queue.shift();
    if (!next) return;
    const current = { id: next.id, cancelled: false };
    this.current = current;
    try {
      const outcome = await this.runOne(next).catch((e: unknown) => ({ error: `the playground could not start: ${(e as Error).message}`, stats: undefined }));
      if (this.closed) return;
      // Stopped, then the worker died or failed: the user asked for it to end, so it simply ended.
      if (outcome.error && current.cancelled) this.end(next.id, { ...EMPTY_STATS, reason: 'cancelled' });
      else if (outcome.error) this.end(next.id, EMPTY_STATS, outcome.error);
      else this.end(next.id, outcome.stats!);
    } finally {
      this.current = null;
      void this.pump();
    }
  }

  private async runOne(job: Pending): Promise<{ stats?: GenerationStats; error?: string }> {
    const worker = this.spawn();
    try {
      await worker.ready;
    } catch (e) {
      this.worker = null;
      return { error: (e as Error).message };
    }
    return new Promise((resolve) => {
      worker.attach(
        (msg: WorkerToHost) => {
          if (!('jobId' in msg) || msg.jobId !== job.id) return;
          if (msg.t === 'gen-text') this.emit({ type: 'generation-text', generationId: job.id, at: new Date().toISOString(), text: msg.text });
          else if (msg.t === 'gen-done') resolve({ stats: msg.stats });
          else if (msg.t === 'failed') resolve({ error: msg.message });
        },
        (exit) => {
          this.worker = null;
          resolve({ error: describeWorkerExit(exit, worker.proc.stderrTail()).replace('running this node', 'running the playground').replace('Try a smaller batch size or model', 'Try a smaller model or fewer tokens') });
        },
      );
      worker.send({ t: 'generate', jobId: job.id, request: job.request });
    }).finally(() => worker.detach()) as Promise<{ stats?: GenerationStats; error?: string }>;
  }

  close(): void {
    this.closed = true;
    for (const p of this.queue.splice(0)) this.end(p.id, { ...EMPTY_STATS, reason: 'cancelled' });
    this.worker?.proc.kill();
    this.worker = null;
  }
}
