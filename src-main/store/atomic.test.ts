import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// A disk that fills up mid-write: the temp file gets part of the data, then ENOSPC (as on a real full disk).
const disk = vi.hoisted(() => ({ full: false }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const open: typeof real.promises.open = async (...args: Parameters<typeof real.promises.open>) => {
    const handle = await real.promises.open(...args);
    if (!disk.full) return handle;
    return Object.assign(Object.create(handle) as typeof handle, {
      writeFile: async (data: string | Uint8Array) => {
        await handle.write(Buffer.from(data).subarray(0, data.length / 2));
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      },
      close: () => handle.close(),
    });
  };
  const promises = { ...real.promises, open };
  return { ...real, promises, default: { ...real, promises } };
});

const { graphOf, tempDir } = await import('../../test/helpers.ts');
const { writeGraphFile } = await import('./graph-files.ts');
const { sweepStaleTemps, writeFileAtomic } = await import('./atomic.ts');
const { RunStore } = await import('./run-store.ts');
const { CacheStore } = await import('./cache-store.ts');
const { ensureWorkspace } = await import('./workspace.ts');

const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
afterAll(() => void sleeper.kill());

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

describe('atomic writes', () => {
  it('on a full disk: keep the old file, leave no temp file, and name the disk and the size', async () => {
    const dir = tempDir();
    const path = join(dir, 'run.json');
    writeFileSync(path, 'old');
    disk.full = true;
    const error = await writeFileAtomic(path, 'x'.repeat(3_000_000)).then(
      () => null,
      (e: Error) => e,
    );
    disk.full = false;
    expect(error?.message).toBe(`the disk holding ${path} is full (needs about 3 MB); free some space, then resume the run`);
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['run.json']);
  });

  it('opening the workspace removes temp files left by killed writers, never a live writer’s or anything else', () => {
    const root = tempDir();
    const run = join(root, 'runs', '20261130-120000-abcdef');
    const entry = join(root, 'cache', 'a'.repeat(64));
    mkdirSync(run, { recursive: true });
    mkdirSync(entry, { recursive: true });
    const dead = deadPid();
    const names = {
      killed: `.run.json.${dead}.0a1b2c3d.tmp`,
      live: `.run.json.${sleeper.pid}.0a1b2c3e.tmp`,
      mine: `.run.json.${process.pid}.0a1b2c3f.tmp`,
      liveButDayOld: `.run.json.${sleeper.pid}.0a1b2c40.tmp`,
      notOurs: 'notes.tmp',
      record: 'run.json',
    };
    for (const name of Object.values(names)) writeFileSync(join(run, name), 'x');
    const twoDaysAgo = Date.now() / 1000 - 2 * 86400;
    utimesSync(join(run, names.liveButDayOld), twoDaysAgo, twoDaysAgo);
    writeFileSync(join(entry, `.result.json.${dead}.00000000.tmp`), 'x');

    const checkpoint = join(root, 'checkpoints', 'b'.repeat(64));
    mkdirSync(join(checkpoint, `.tmp-${dead}-1700000000000`), { recursive: true });
    writeFileSync(join(checkpoint, `.tmp-${dead}-1700000000000`, 'tensors.safetensors'), 'half');
    mkdirSync(join(checkpoint, `.tmp-${sleeper.pid}-1700000000001`));
    mkdirSync(join(checkpoint, 'step-00000010'));

    ensureWorkspace(root);
    new RunStore(join(root, 'runs'));
    new CacheStore(join(root, 'cache'));

    expect(readdirSync(run).sort()).toEqual([names.live, names.mine, names.notOurs, names.record].sort());
    expect(readdirSync(entry)).toEqual([]);
    expect(readdirSync(checkpoint).sort()).toEqual([`.tmp-${sleeper.pid}-1700000000001`, 'step-00000010']);
  });

  it('a graph save removes that graph’s own leftovers only', async () => {
    const dir = tempDir();
    const dead = deadPid();
    writeFileSync(join(dir, `.a.weft.json.${dead}.11111111.tmp`), 'x');
    writeFileSync(join(dir, `.b.weft.json.${dead}.22222222.tmp`), 'x');
    await writeGraphFile(join(dir, 'a.weft.json'), graphOf([]));
    expect(readdirSync(dir).sort()).toEqual([`.b.weft.json.${dead}.22222222.tmp`, 'a.weft.json']);
    expect(sweepStaleTemps(dir)).toBe(1);
  });
});
