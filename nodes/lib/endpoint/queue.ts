/**
 * One generation at a time per model (a model's weights and KV cache serve one request), with a
 * bounded line of waiting requests: a request beyond the limit is refused at once (HTTP 429) rather
 * than waiting without end.
 */
export class QueueFullError extends Error {
  constructor(limit: number) {
    super(`the endpoint is busy: one request is being answered and ${limit} ${limit === 1 ? 'is' : 'are'} waiting, the most it queues; retry shortly`);
    this.name = 'QueueFullError';
  }
}

export class GenerationQueue {
  private busy = false;
  private readonly waiting: Array<() => void> = [];
  /** Requests answered (or failed) since the endpoint started. */
  served = 0;

  constructor(readonly limit: number) {}

  get queued(): number {
    return this.waiting.length;
  }

  get running(): boolean {
    return this.busy;
  }

  /**
   * Runs job when the model is free. A request given up while waiting (signal aborted: the client
   * closed the connection) leaves the line without ever running.
   */
  async run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw signal.reason ?? new Error('cancelled');
    if (this.busy) {
      if (this.waiting.length >= this.limit) throw new QueueFullError(this.limit);
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal?.removeEventListener('abort', leave);
          resolve();
        };
        const leave = () => {
          const i = this.waiting.indexOf(go);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal!.reason ?? new Error('cancelled'));
        };
        signal?.addEventListener('abort', leave, { once: true });
        this.waiting.push(go);
      });
    } else this.busy = true;
    try {
      return await job();
    } finally {
      this.served++;
      const next = this.waiting.shift();
      // The slot passes straight to the next request, so nothing can jump the line.
      if (next) next();
      else this.busy = false;
    }
  }
}
