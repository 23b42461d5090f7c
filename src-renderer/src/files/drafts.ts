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

function windowId(): string {
  let id = sessionStorage.getItem(TAB_KEY);
  if (!id || !/^[a-z0-9]{4,32}$/.test(id)) {
    id = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => (b % 36).toString(36)).join('');
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

export async function readAutosave(api: WeftApi): Promise<Autosave | null> {
  try {
    return (await api.takeDraft(windowId())) as Autosave | null;
  } catch {
    return null;
  }
}
