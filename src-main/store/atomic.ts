import { randomBytes } from 'node:crypto';
import { promises as fs, openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { explainWriteError } from '../../nodes/sdk/disk-full.ts';

/** `.<name>.<pid>.<8 hex>.tmp`: the temp files of this module, and nothing else's. */
const TEMP_NAME = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** A temp file this old is never a write in progress (a write takes seconds), even if its pid was reused. */
const STALE_AFTER_MS = 24 * 3600 * 1000;

function tempNameFor(path: string): string {
  // Same folder as the target, so rename() stays on one file system and is atomic.
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function byteLength(data: string | Uint8Array): number {
  return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temp files that atomic writes killed mid-way (kill -9, power loss) left in `dir`:
 * only names of our own pattern, only when the process that wrote them is gone (or the file is a
 * day old, so a reused pid cannot keep it forever). A live process's temp file is its write in
 * progress and is left alone; so are this process's own. `onlyFor` limits it to one target's temps.
 */
export function sweepStaleTemps(dir: string, onlyFor?: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m || (onlyFor !== undefined && m[1] !== onlyFor)) continue;
    const pid = Number(m[2]);
    const path = join(dir, name);
    let stale = pid !== process.pid && !processAlive(pid);
    if (!stale) {
      try {
        stale = Date.now() - statSync(path).mtimeMs > STALE_AFTER_MS;
      } catch {
        continue; // gone meanwhile: its writer renamed it
      }
    }
    if (!stale) continue;
    rmSync(path, { force: true });
    removed++;
  }
  return removed;
}

async function fsyncDir(dir: string): Promise<void> {
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms (Windows) cannot open a directory; the rename is still atomic there.
  }
}

/**
 * Writes a file so that readers see either the old content or the new, never a torn mix, even after
 * a crash. A failed write (a full disk) leaves the old file and no temp file behind, and says which
 * disk is full.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempNameFor(path);
  try {
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, path);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw explainWriteError(err, path, byteLength(data));
  }
  await fsyncDir(dirname(path));
}

/** Synchronous twin, for the few places that must finish before the process exits. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const tmp = tempNameFor(path);
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* never created, or already gone */
    }
    throw explainWriteError(err, path, byteLength(data));
  }
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}
