/**
 * A full disk, said so a user can act on it. Node's own error (`ENOSPC: no space left on device,
 * write`) names neither the disk nor how much was needed; every writer that can hit a full disk
 * (run records, the cache, checkpoints, a node's files) rethrows it as this, with the path it
 * was writing and the size it was writing when known.
 */
export class DiskFullError extends Error {
  readonly code = 'ENOSPC';
  constructor(
    readonly path: string,
    readonly neededBytes?: number,
  ) {
    const needs = neededBytes === undefined ? '' : ` (needs about ${Math.max(1, Math.ceil(neededBytes / 1e6))} MB)`;
    super(`the disk holding ${path} is full${needs}; free some space, then resume the run`);
    this.name = 'DiskFullError';
  }
}

/** ENOSPC, or EDQUOT (a user's disk quota reached), which the user resolves the same way. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** The error to throw for a failed write of `bytes` at `path`: a DiskFullError when the disk is full, else the error itself. */
export function explainWriteError(err: unknown, path: string, bytes?: number): unknown {
  if (err instanceof DiskFullError || !isDiskFull(err)) return err;
  return new DiskFullError(path, bytes);
}

/** Whether a node's error (a message that crossed from a worker) is a DiskFullError's. */
export function isDiskFullMessage(message: string): boolean {
  return /^the disk holding .+ is full\b/.test(message);
}
