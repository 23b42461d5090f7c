import type { Graph } from '../../../nodes/sdk/graph.ts';

/** Browser-side memory: recent files and the autosaved draft (localStorage, per server origin). */
const RECENT_KEY = 'weft.recent';
const AUTOSAVE_KEY = 'weft.autosave';
const CLIPBOARD_KEY = 'weft.clipboard';

function read<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

export function recentFiles(): string[] {
  const list = read<unknown>(RECENT_KEY);
  return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
}

export function addRecent(path: string): void {
  localStorage.setItem(RECENT_KEY, JSON.stringify([path, ...recentFiles().filter((p) => p !== path)].slice(0, 10)));
}

export function removeRecent(path: string): void {
  localStorage.setItem(RECENT_KEY, JSON.stringify(recentFiles().filter((p) => p !== path)));
}

export interface Autosave {
  graph: Graph;
  path: string | null;
  graphDir: string | null;
  savedAt: string;
}

/**
 * Each window autosaves under its own key and beats a heartbeat while open. A reload finds its
 * own draft (sessionStorage keeps the window's id); a new window adopts only drafts whose window
 * stopped beating (closed or crashed), never the draft of a window that is still open.
 */
const TAB_KEY = 'weft.tab';
const BEAT_PREFIX = 'weft.beat.';
const DRAFT_PREFIX = AUTOSAVE_KEY + '.';
const STALE_MS = 6000;

function tabId(): string {
  let id = sessionStorage.getItem(TAB_KEY);
  if (!id) {
    id = Math.random().toString(36).slice(2, 10);
    sessionStorage.setItem(TAB_KEY, id);
  }
  return id;
}

export function heartbeat(): void {
  localStorage.setItem(BEAT_PREFIX + tabId(), String(Date.now()));
}

export function readAutosave(): Autosave | null {
  const own = read<Autosave>(DRAFT_PREFIX + tabId());
  if (own) return own;
  let best: { key: string; draft: Autosave } | null = null;
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (!key?.startsWith(DRAFT_PREFIX)) continue;
    const owner = key.slice(DRAFT_PREFIX.length);
    if (Date.now() - Number(localStorage.getItem(BEAT_PREFIX + owner) ?? 0) < STALE_MS) continue;
    const draft = read<Autosave>(key);
    if (draft && (!best || draft.savedAt > best.draft.savedAt)) best = { key, draft };
  }
  if (!best) return null;
  // Adopt it: this window now owns the draft.
  localStorage.removeItem(best.key);
  localStorage.removeItem(BEAT_PREFIX + best.key.slice(DRAFT_PREFIX.length));
  writeAutosave(best.draft);
  return best.draft;
}

export function writeAutosave(a: Autosave): void {
  try {
    localStorage.setItem(DRAFT_PREFIX + tabId(), JSON.stringify(a));
  } catch {
    // Quota full: autosave is a safety net, the editor goes on without it.
  }
}

export function clearAutosave(): void {
  localStorage.removeItem(DRAFT_PREFIX + tabId());
}

/** Copy/paste between windows and tabs of the same Weft goes through localStorage. */
export function writeClipboard(value: unknown): void {
  localStorage.setItem(CLIPBOARD_KEY, JSON.stringify(value));
}

export function readClipboard(): unknown {
  return read<unknown>(CLIPBOARD_KEY);
}

export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export function dirName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i <= 0 ? '/' : path.slice(0, i);
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
}

function normalize(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '..') out.pop();
    else if (part !== '.' && part !== '') out.push(part);
  }
  return '/' + out.join('/');
}

/** Makes a relative file param absolute against the folder it was relative to (for save-as elsewhere). */
export function absolutize(value: string, fromDir: string): string {
  return isAbsolute(value) ? value : normalize(fromDir + '/' + value);
}
