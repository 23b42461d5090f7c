import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sweepStaleTemps, writeJsonAtomic } from './atomic.ts';

export interface CacheEntry {
  signature: string;
  nodeType: string;
  runId: string;
  nodeId: string;
  createdAt: string;
  artifactDir: string;
  outputs: Record<string, unknown>;
  metrics?: Record<string, number>;
  backend?: string;
  /** A gate's decision to close, replayed when the entry answers a later run. */
  closed?: { reason: string };
  /** The node's warnings, shown again whenever the cache answers for it. */
  warnings?: string[];
  device?: import('../../nodes/sdk/index.ts').DeviceInfo;
  durationMs: number;
}

const SIGNATURE = /^[a-f0-9]{64}$/;

/**
 * Results by node signature. An entry is valid only once its result.json exists (written last,
 * atomically), so a crash mid-node never leaves a false cache hit. Each execution writes into its
 * own folder, so a re-execution never pulls artifacts out from under an older run.
 */
export class CacheStore {
  constructor(private readonly cacheDir: string) {
    mkdirSync(cacheDir, { recursive: true });
    // result.json writes killed mid-way left temp files in the entries' folders.
    for (const name of readdirSync(cacheDir)) if (SIGNATURE.test(name)) sweepStaleTemps(join(cacheDir, name));
  }

  private entryDir(signature: string): string {
    if (!SIGNATURE.test(signature)) throw new Error(`not a signature: ${signature}`);
    return join(this.cacheDir, signature);
  }

  lookup(signature: string): CacheEntry | null {
    const path = join(this.entryDir(signature), 'result.json');
    if (!existsSync(path)) return null;
    try {
      const entry = JSON.parse(readFileSync(path, 'utf8')) as CacheEntry;
      return existsSync(entry.artifactDir) ? entry : null;
    } catch {
      return null;
    }
  }

  /** A fresh, empty artifact folder for one execution of a node. */
  prepare(signature: string, runId: string): string {
    const dir = join(this.entryDir(signature), `run-${runId}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  async commit(entry: CacheEntry): Promise<void> {
    await writeJsonAtomic(join(this.entryDir(entry.signature), 'result.json'), entry);
  }
}
