import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphOf, tempDir } from '../../test/helpers.ts';
import { DraftStore, STALE_MS } from './drafts.ts';

const draft = (name: string, savedAt: string) => ({ graph: { ...graphOf([{ id: 'a', type: 'stub.source' }]), meta: { name } }, path: null, graphDir: null, savedAt });
const age = (file: string, ms: number) => utimesSync(file, new Date(Date.now() - ms), new Date(Date.now() - ms));

describe('drafts in the workspace', () => {
  it('a window gets its own draft back; a new window adopts the newest draft of a window that is gone, once', async () => {
    const dir = tempDir();
    const store = new DraftStore(dir);
    await store.put('win1', draft('one', '2026-11-30T10:00:00Z'));
    await store.put('win2', draft('two', '2026-11-30T11:00:00Z'));
    await store.put('win3', draft('three', '2026-11-30T12:00:00Z'));
    expect((store.take('win1')?.graph as { meta: { name: string } }).meta.name).toBe('one');
    // win2 and win3 still beat: a new window takes nothing of theirs.
    expect(store.take('fresh1')).toBeNull();
    age(join(dir, 'win2.json'), STALE_MS + 1000);
    age(join(dir, 'win3.json'), STALE_MS + 1000);
    await store.put('win3'); // win3's window is alive again: its heartbeat
    const adopted = store.take('fresh2');
    expect((adopted?.graph as { meta: { name: string } }).meta.name).toBe('two');
    expect(existsSync(join(dir, 'win2.json'))).toBe(false);
    // Adopted means owned: fresh, so no third window takes it too; and its owner finds it again.
    expect(store.take('fresh3')).toBeNull();
    expect(store.take('fresh2')?.savedAt).toBe('2026-11-30T11:00:00Z');
    await store.put('fresh2', null);
    expect(readdirSync(dir).sort()).toEqual(['win1.json', 'win3.json']);
  });

  it('drops a draft the editor could not load instead of offering it, and refuses odd window ids', async () => {
    const dir = tempDir();
    const store = new DraftStore(dir);
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ graph: { nodes: 'no' }, path: null, graphDir: null, savedAt: 'x' }));
    age(join(dir, 'broken.json'), STALE_MS + 1000);
    expect(store.take('newwin')).toBeNull();
    expect(existsSync(join(dir, 'broken.json'))).toBe(false);
    await expect(store.put('../../etc', draft('x', 'y'))).rejects.toThrow('not a window id');
  });
});
