/**
 * A node's own large write on a full disk says which disk and about how much it needs, from the
 * size of what it was about to write (issue 10): the export node's GGUF file and Hugging Face folder.
 * The disk is made full by failing node:fs writes with ENOSPC, as the kernel does.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const disk = vi.hoisted(() => ({ full: false }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const guard =
    <A extends unknown[], R>(f: (...a: A) => R) =>
    (...a: A): R => {
      if (disk.full) throw enospc();
      return f(...a);
    };
  const patched = { ...real, writeSync: guard(real.writeSync), writeFileSync: guard(real.writeFileSync) };
  return { ...patched, default: patched };
});

const { fakeContext, paramsFor, runNode } = await import('../../test/fixtures/node-harness.ts');
const { inspectModelFolder } = await import('../lib/gpt/io.ts');
const { DiskFullError } = await import('../sdk/disk-full.ts');
const exportNode = (await import('./index.ts')).default;
type ModelHandle = import('../sdk/index.ts').ModelHandle;

const FIXTURE = join(import.meta.dirname, '../../test/fixtures/hf/mistral');
const model: ModelHandle = { kind: 'model', dir: FIXTURE, parameters: 0, config: inspectModelFolder(FIXTURE) };
const contexts: ReturnType<typeof fakeContext>[] = [];
afterEach(() => {
  disk.full = false;
  contexts.splice(0).forEach((c) => c.cleanup());
});

async function exportWith(overrides: Record<string, string>, full: boolean) {
  const ctx = fakeContext();
  contexts.push(ctx);
  disk.full = full;
  try {
    await runNode(exportNode, { model }, paramsFor(exportNode, overrides), ctx);
    return { ctx, error: null };
  } catch (e) {
    return { ctx, error: e as Error };
  } finally {
    disk.full = false;
  }
}

const folderBytes = (dir: string) => readdirSync(dir).reduce((n, f) => n + (statSync(join(dir, f)).isFile() ? statSync(join(dir, f)).size : 0), 0);

describe('a full disk during a node\'s own write', () => {
  for (const [format, type] of [
    ['gguf', 'Q8_0'],
    ['gguf', 'F32'],
    ['folder', 'F32'],
  ] as const) {
    it(`${format} ${format === 'gguf' ? type : ''}: names the disk and about how much it needs, close to what the write takes`, async () => {
      const overrides = { format, ggufType: type, name: 'tiny' };
      const ok = await exportWith(overrides, false);
      expect(ok.error).toBeNull();
      const written = format === 'gguf' ? statSync(join(ok.ctx.artifactDir, 'tiny.gguf')).size : folderBytes(ok.ctx.artifactDir);

      const { error } = await exportWith(overrides, true);
      expect(error).toBeInstanceOf(DiskFullError);
      expect(error!.message).toMatch(/^the disk holding \/\S+ is full \(needs about \d+ MB\); free some space, then resume the run$/);
      const needed = (error as InstanceType<typeof DiskFullError>).neededBytes!;
      // The estimate is what the write takes, give or take the file's header and metadata.
      expect(needed / written).toBeGreaterThan(0.8);
      expect(needed / written).toBeLessThan(1.25);
    }, 120_000);
  }
});
