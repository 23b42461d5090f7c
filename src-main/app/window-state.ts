/**
 * Remembers where the window was. The geometry is pure functions (tested without Electron); the
 * window is reached only through the few methods listed in TrackedWindow.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../store/atomic.ts';

export const WINDOW_STATE_NAME = 'window-state.json';
export const DEFAULT_WINDOW_SIZE = { width: 1400, height: 900 } as const;
const MIN_WIDTH = 400;
const MIN_HEIGHT = 300;
/** How much of the window must lie on a display to count as visible: enough to grab and drag it. */
const MIN_VISIBLE = { width: 100, height: 50 } as const;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  /** Bounds in the normal (not maximized, not full-screen) state. */
  bounds: Rect;
  maximized: boolean;
  fullScreen: boolean;
}

export function windowStateFile(userData: string): string {
  return join(userData, WINDOW_STATE_NAME);
}

function intersection(a: Rect, b: Rect): { width: number; height: number } {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return { width: Math.max(0, width), height: Math.max(0, height) };
}

/**
 * True when a grabbable part of the window, including its title bar, lies on one work area: a
 * display that has been unplugged or rearranged must not leave the window out of reach.
 */
export function isVisibleOn(bounds: Rect, workAreas: readonly Rect[]): boolean {
  const titleBar: Rect = { x: bounds.x, y: bounds.y, width: bounds.width, height: Math.min(bounds.height, MIN_VISIBLE.height) };
  return workAreas.some((area) => {
    const overlap = intersection(titleBar, area);
    return overlap.width >= Math.min(MIN_VISIBLE.width, bounds.width) && overlap.height >= titleBar.height;
  });
}

/** The default size, shrunk to fit a small screen, centred on the given work area. */
export function centredBounds(workArea: Rect, size: { width: number; height: number } = DEFAULT_WINDOW_SIZE): Rect {
  const width = Math.min(size.width, workArea.width);
  const height = Math.min(size.height, workArea.height);
  return {
    x: Math.round(workArea.x + (workArea.width - width) / 2),
    y: Math.round(workArea.y + (workArea.height - height) / 2),
    width,
    height,
  };
}

/** The bounds to open the window with: the saved ones while still visible, else centred defaults. */
export function restoredBounds(saved: WindowState | null, workAreas: readonly Rect[], primary: Rect): Rect {
  if (saved && isVisibleOn(saved.bounds, workAreas)) return saved.bounds;
  return centredBounds(primary);
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Reads a saved state; anything missing or malformed is no state, never an error. */
export function parseWindowState(text: string): WindowState | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  const d = data as Partial<WindowState> | null;
  const b = d?.bounds as Partial<Rect> | undefined;
  if (!b || !finite(b.x) || !finite(b.y) || !finite(b.width) || !finite(b.height)) return null;
  if (b.width < MIN_WIDTH || b.height < MIN_HEIGHT) return null;
  return {
    bounds: { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) },
    maximized: d!.maximized === true,
    fullScreen: d!.fullScreen === true,
  };
}

export function loadWindowState(file: string): WindowState | null {
  try {
    return parseWindowState(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** The part of BrowserWindow this uses. */
export interface TrackedWindow {
  on(event: 'resize' | 'move' | 'maximize' | 'unmaximize' | 'enter-full-screen' | 'leave-full-screen' | 'close' | 'closed', listener: () => void): unknown;
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  isFullScreen(): boolean;
  isDestroyed(): boolean;
}

export function currentState(win: TrackedWindow): WindowState {
  return { bounds: win.getNormalBounds(), maximized: win.isMaximized(), fullScreen: win.isFullScreen() };
}

/**
 * Saves the window's state while it moves (debounced: a drag fires dozens of events a second) and
 * once more as it closes. The close save is synchronous so it lands even when the app quits next.
 */
export function trackWindowState(win: TrackedWindow, file: string, debounceMs = 500): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const save = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (win.isDestroyed()) return;
    try {
      writeFileAtomicSync(file, JSON.stringify(currentState(win), null, 2) + '\n');
    } catch {
      // Forgetting where the window was is not worth an error dialog.
    }
  };
  const later = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, debounceMs);
  };
  for (const event of ['resize', 'move', 'maximize', 'unmaximize', 'enter-full-screen', 'leave-full-screen'] as const) win.on(event, later);
  win.on('close', save);
  const stop = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  win.on('closed', stop);
  return stop;
}
