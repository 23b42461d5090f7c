import type { WeftApi } from '../../../nodes/sdk/doors/weft-api.ts';
import type { Graph } from '../../../nodes/sdk/graph.ts';

/**
 * The autosaved draft, kept in the workspace through the API (not in localStorage, which belongs
 * to one browser origin: each `weft serve` picks a new port, and with it a new, empty storage).
 * Each window saves under its own id and beats a heartbeat while open. A reload finds its own draft
 * (sessionStorage keeps the window's id); a new window, of this launch or a later one, adopts only
 * a draft whose window stopped beating (closed or crashed), never that of a window still open.
 */
export interface Autosave {
  graph: Graph;
  path: string | null;
  graphDir: string | null;
  savedAt: string;
}

const TAB_KEY = 'weft.tab';
/** Where drafts lived before they moved into the workspace (see migrateLocalDrafts). */
const LEGACY_DRAFT_KEY = 'weft.autosave';
const LEGACY_BEAT_PREFIX = 'weft.beat.';

function newWindowId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => (b % 36).toString(36)).join('');
}

function windowId(): string {
  let id = sessionStorage.getItem(TAB_KEY);
  if (!id || !/^[a-z0-9]{4,32}$/.test(id)) {
    id = newWindowId();
    sessionStorage.setItem(TAB_KEY, id);
  }
  return id;
}

// Autosave is a safety net: a failed write (a full disk, a lost connection) never stops the editor.
const quietly = (p: Promise<unknown>) => void p.catch(() => undefined);

export function heartbeat(api: WeftApi): void {
  quietly(api.putDraft(windowId()));
}

export function writeAutosave(api: WeftApi, draft: Autosave): void {
  quietly(api.putDraft(windowId(), draft));
}

export function clearAutosave(api: WeftApi): void {
  quietly(api.putDraft(windowId(), null));
}

/**
 * Before drafts moved into the workspace, each window kept its draft in localStorage under
 * `weft.autosave.<window>` (and, earlier still, one `weft.autosave`). The desktop app's storage
 * outlives an update, so those drafts are moved into the workspace once: the newest becomes this
 * window's own draft (recovered now, as it would have been), the others drafts of closed windows
 * (recovered by the next windows). Each key is removed only once the workspace holds its draft.
 */
export async function migrateLocalDrafts(api: WeftApi, storage: Storage = localStorage): Promise<number> {
  const found: Array<{ key: string; draft: Autosave }> = [];
  const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i)).filter((k): k is string => k === LEGACY_DRAFT_KEY || !!k?.startsWith(LEGACY_DRAFT_KEY + '.'));
  for (const key of keys) {
    try {
      const draft = JSON.parse(storage.getItem(key) ?? 'null') as Partial<Autosave> | null;
      if (draft && typeof draft === 'object' && draft.graph) found.push({ key, draft: { graph: draft.graph, path: draft.path ?? null, graphDir: draft.graphDir ?? null, savedAt: String(draft.savedAt ?? new Date(0).toISOString()) } });
      else storage.removeItem(key);
    } catch {
      // Not JSON: nothing any editor could load back.
      storage.removeItem(key);
    }
  }
  found.sort((a, b) => (a.draft.savedAt < b.draft.savedAt ? 1 : -1));
  let moved = 0;
  for (const [i, { key, draft }] of found.entries()) {
    try {
      await api.putDraft(i === 0 ? windowId() : newWindowId(), draft);
    } catch {
      continue; // kept in localStorage: the next start tries again
    }
    storage.removeItem(key);
    storage.removeItem(LEGACY_BEAT_PREFIX + key.slice(LEGACY_DRAFT_KEY.length + 1));
    moved++;
  }
  return moved;
}

export async function readAutosave(api: WeftApi): Promise<Autosave | null> {
  // Storage may be unavailable (a locked-down browser): then there is nothing to move.
  await migrateLocalDrafts(api).catch(() => 0);
  try {
    return (await api.takeDraft(windowId())) as Autosave | null;
  } catch {
    return null;
  }
}
