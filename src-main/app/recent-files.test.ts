import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RECENT_FILES_NAME, RecentFiles } from './recent-files.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'weft-recent-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Creates graph files so they survive the "missing files are dropped" filter. */
function files(...names: string[]): string[] {
  return names.map((n) => {
    const p = join(dir, `${n}.weft.json`);
    writeFileSync(p, '{}');
    return p;
  });
}

describe('recent files', () => {
  it('lists newest first, de-duplicated, and mirrors additions to the system list', async () => {
    const [a, b, c] = files('a', 'b', 'c');
    const app = { addRecentDocument: vi.fn(), clearRecentDocuments: vi.fn() };
    const recent = new RecentFiles({ dir, app });
    await recent.add(a!);
    await recent.add(b!);
    await recent.add(c!);
    await recent.add(a!);
    expect(await recent.list()).toEqual([a, c, b]);
    expect(app.addRecentDocument).toHaveBeenLastCalledWith(a);
    // A second instance reads what the first wrote.
    expect(await new RecentFiles({ dir }).list()).toEqual([a, c, b]);
    await recent.add(`${dir}/./a.weft.json`);
    expect(await recent.list()).toEqual([a, c, b]);
  });

  it('keeps at most 10', async () => {
    const paths = files(...Array.from({ length: 12 }, (_, i) => `g${i}`));
    const recent = new RecentFiles({ dir });
    for (const p of paths) await recent.add(p);
    const list = await recent.list();
    expect(list).toHaveLength(10);
    expect(list[0]).toBe(paths[11]);
    expect(list).not.toContain(paths[0]);
  });

  it('drops files that no longer exist', async () => {
    const [a, b] = files('a', 'b');
    const recent = new RecentFiles({ dir });
    await recent.add(a!);
    await recent.add(b!);
    rmSync(a!);
    expect(await recent.list()).toEqual([b]);
  });

  it('removes one entry, clears all, and tells the listener each time', async () => {
    const [a, b] = files('a', 'b');
    const onChange = vi.fn();
    const app = { addRecentDocument: vi.fn(), clearRecentDocuments: vi.fn() };
    const recent = new RecentFiles({ dir, app, onChange });
    await recent.add(a!);
    await recent.add(b!);
    await recent.remove(b!);
    expect(await recent.list()).toEqual([a]);
    await recent.clear();
    expect(await recent.list()).toEqual([]);
    expect(app.clearRecentDocuments).toHaveBeenCalledOnce();
    expect(onChange.mock.calls.map((c) => c[0])).toEqual([[a], [b, a], [a], []]);
  });

  it('treats a corrupt or odd file as an empty list, and recovers on the next write', async () => {
    const [a] = files('a');
    const recent = new RecentFiles({ dir });
    writeFileSync(join(dir, RECENT_FILES_NAME), '{"files": [tru');
    expect(await recent.list()).toEqual([]);
    writeFileSync(join(dir, RECENT_FILES_NAME), JSON.stringify({ files: [42, 'relative.weft.json', a, a] }));
    expect(await recent.list()).toEqual([a]);
    writeFileSync(join(dir, RECENT_FILES_NAME), 'null');
    expect(await recent.list()).toEqual([]);
    await recent.add(a!);
    expect(JSON.parse(readFileSync(join(dir, RECENT_FILES_NAME), 'utf8'))).toEqual({ version: 1, files: [a] });
  });

  it('creates its folder, writes atomically and leaves no temporary file', async () => {
    const [a] = files('a');
    const nested = join(dir, 'user-data');
    const recent = new RecentFiles({ dir: nested });
    await recent.add(a!);
    expect(readdirSync(nested)).toEqual([RECENT_FILES_NAME]);
  });

  it('loses nothing when changes overlap', async () => {
    const paths = files('a', 'b', 'c', 'd');
    const recent = new RecentFiles({ dir });
    await Promise.all(paths.map((p) => recent.add(p)));
    expect((await recent.list()).sort()).toEqual([...paths].sort());
  });

  it('refuses a relative path', async () => {
    await expect(new RecentFiles({ dir }).add('graphs/a.weft.json')).rejects.toThrow(/not an absolute path/);
  });
});
