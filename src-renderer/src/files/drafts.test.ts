import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WeftApi } from '../../../nodes/sdk/doors/weft-api.ts';
import type { GraphDraft } from '../../../nodes/sdk/drafts.ts';
import { emptyGraph } from '../store/doc-store.ts';
import { readAutosave } from './drafts.ts';

/** A Storage over a Map, as the browser's localStorage and sessionStorage behave. */
function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    key: (i) => [...m.keys()][i] ?? null,
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, String(v)),
    removeItem: (k) => void m.delete(k),
    clear: () => m.clear(),
  };
}

/** The workspace's drafts as the host keeps them: one per window id; a window takes its own. */
function workspaceDrafts(failPuts = false) {
  const drafts = new Map<string, GraphDraft>();
  const api = {
    putDraft: vi.fn(async (id: string, draft?: GraphDraft | null) => {
      if (failPuts) throw new Error('ENOSPC: the disk is full');
      if (draft) drafts.set(id, draft);
    }),
    takeDraft: vi.fn(async (id: string) => drafts.get(id) ?? null),
  } as unknown as WeftApi;
  return { api, drafts };
}

const draft = (name: string, savedAt: string) => ({ graph: emptyGraph(name), path: null, graphDir: null, savedAt });

describe('drafts left in localStorage by older versions', () => {
  beforeEach(() => {
    vi.stubGlobal('localStorage', memoryStorage());
    vi.stubGlobal('sessionStorage', memoryStorage());
  });
  afterEach(() => vi.unstubAllGlobals());

  it('move into the workspace once: the newest is recovered by this window, the others stay for the next windows', async () => {
    localStorage.setItem('weft.autosave.abc123', JSON.stringify(draft('older', '2026-11-01T10:00:00.000Z')));
    localStorage.setItem('weft.beat.abc123', '1');
    localStorage.setItem('weft.autosave.def456', JSON.stringify(draft('newest', '2026-11-02T10:00:00.000Z')));
    localStorage.setItem('weft.autosave', JSON.stringify(draft('oldest single key', '2026-10-01T10:00:00.000Z')));
    localStorage.setItem('weft.autosave.broken', '{not json');
    localStorage.setItem('weft.recent', '["/a.weft.json"]');
    const { api, drafts } = workspaceDrafts();

    const recovered = await readAutosave(api);
    expect((recovered?.graph as { meta: { name: string } }).meta.name).toBe('newest');
    expect([...drafts.values()].map((d) => (d.graph as { meta: { name: string } }).meta.name).sort()).toEqual(['newest', 'older', 'oldest single key']);
    // Gone from localStorage (the unreadable one too), the rest of it untouched.
    expect(localStorage.length).toBe(1);
    expect(localStorage.getItem('weft.recent')).toBe('["/a.weft.json"]');

    // Once: a reload moves nothing again.
    vi.mocked(api.putDraft).mockClear();
    await readAutosave(api);
    expect(api.putDraft).not.toHaveBeenCalled();
  });

  it('stay in localStorage when the workspace cannot take them, to be moved at the next start', async () => {
    localStorage.setItem('weft.autosave.abc123', JSON.stringify(draft('kept', '2026-11-01T10:00:00.000Z')));
    const { api } = workspaceDrafts(true);
    expect(await readAutosave(api)).toBeNull();
    expect(localStorage.getItem('weft.autosave.abc123')).toContain('kept');
  });
});
