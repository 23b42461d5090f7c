import type { Graph } from '../../../nodes/sdk/graph.ts';

/** Browser-side memory: recent files and the clipboard (localStorage, per server origin); drafts are in drafts.ts. */
const RECENT_KEY = 'weft.recent';
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
