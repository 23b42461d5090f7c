/**
 * A checkpoint save that meets a full disk: the node's error names the disk and the size, the
 * half-written folder is gone (it would keep the disk full), and the previous checkpoint still
 * restores. The full disk is injected: writeSync fails with ENOSPC, as it does on a real one.
 */
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

const disk = vi.hoisted(() => ({ fullAfterBytes: Infinity, written: 0 }));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  // checkpoint.ts writes buffers as writeSync(fd, bytes, offset, length).
  const writeSync = ((fd: number, buffer: Uint8Array, offset?: number, length?: number) => {
    const from = offset ?? 0;
    const room = disk.fullAfterBytes - disk.written;
    if (room <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    const n = real.writeSync(fd, buffer, from, Math.min(length ?? buffer.byteLength - from, room));
    disk.written += n;
    return n;
  }) as typeof real.writeSync;
  return { ...real, writeSync, default: { ...real, writeSync } };
});

const { tempDir } = await import('../../../test/helpers.ts');
const { tf } = await import('../backend.ts');
const { Optimizer, DEFAULT_OPTIMIZER } = await import('./optimizer.ts');
const { restoreLatest, saveCheckpoint } = await import('./checkpoint.ts');

function state(step: number) {
  return { step, optimizerStep: step, rng: [1, 2, 3, 4], bestValLoss: null, lastValLoss: null, tokensSeen: step * 10 };
}

describe('a checkpoint on a full disk', () => {
  it('fails with the disk and the size, removes its partial folder, and leaves the previous checkpoint whole', async () => {
    const dir = tempDir();
    // About 1.2 MB of weights (plus Adam's two moments): the size must show in the message.
    const params = new Map([['w', tf.variable(tf.fill([100_000], 0.5))]]);
    const optimizer = new Optimizer(DEFAULT_OPTIMIZER, params);
    await saveCheckpoint(dir, state(1), params, optimizer, 3, false);

    params.get('w')!.assign(tf.fill([100_000], 2));
    disk.written = 0;
    disk.fullAfterBytes = 500_000; // room for part of the tensors file only
    const error = await saveCheckpoint(dir, state(2), params, optimizer, 3, false).then(
      () => null,
      (e: Error) => e,
    );
    disk.fullAfterBytes = Infinity;

    expect(error?.message).toBe(`the disk holding ${dir} is full (needs about 2 MB); free some space, then resume the run`);
    expect(readdirSync(dir)).toEqual(['step-00000001']);
    const restoredInto = new Map([['w', tf.variable(tf.zeros([100_000]))]]);
    const restored = restoreLatest(dir, restoredInto, new Optimizer(DEFAULT_OPTIMIZER, restoredInto));
    expect(restored?.step).toBe(1);
    expect((await restoredInto.get('w')!.data())[0]).toBe(0.5);

    // Space is back: the next save works and is the one restored.
    await saveCheckpoint(dir, state(2), params, optimizer, 3, false);
    expect(restoreLatest(dir, restoredInto, new Optimizer(DEFAULT_OPTIMIZER, restoredInto))?.step).toBe(2);
    expect(existsSync(`${dir}/step-00000001`)).toBe(true);
  });
});
