import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tryLock } from './process-lock.ts';

describe('process lock', () => {
  it('is held once, released on release, and released by the OS when its holder is killed -9', async () => {
    const key = `test-${process.pid}-${Date.now()}`;
    const first = await tryLock(key);
    expect(first).not.toBeNull();
    expect(await tryLock(key)).toBeNull();
    await first!.release();
    const again = await tryLock(key);
    expect(again).not.toBeNull();
    await again!.release();

    // Another process takes it, then dies by SIGKILL: the lock is free at once.
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `const { tryLock } = await import(${JSON.stringify(new URL('./process-lock.ts', import.meta.url).pathname)}); const l = await tryLock(${JSON.stringify(key)}); process.stdout.write(l ? 'held\\n' : 'busy\\n'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((r) => child.stdout!.once('data', () => r()));
    expect(await tryLock(key)).toBeNull();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const afterKill = await tryLock(key);
    expect(afterKill).not.toBeNull();
    await afterKill!.release();
  }, 20_000);
});
