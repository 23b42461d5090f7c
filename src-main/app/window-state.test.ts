import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { centredBounds, isVisibleOn, loadWindowState, parseWindowState, restoredBounds, trackWindowState, windowStateFile, type Rect, type TrackedWindow } from './window-state.ts';

const laptop: Rect = { x: 0, y: 0, width: 1920, height: 1050 };
const right: Rect = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('window geometry', () => {
  it('restores saved bounds that are still on a display', () => {
    const bounds = { x: 2000, y: 100, width: 1200, height: 800 };
    expect(restoredBounds({ bounds, maximized: false, fullScreen: false }, [laptop, right], laptop)).toEqual(bounds);
    // Partly off the edge, but the title bar can still be grabbed.
    expect(isVisibleOn({ x: 1700, y: 20, width: 1400, height: 900 }, [laptop])).toBe(true);
  });

  it('rejects bounds on a display that is gone, and centres the default size instead', () => {
    const onUnplugged = { bounds: { x: 2000, y: 100, width: 1200, height: 800 }, maximized: false, fullScreen: false };
    expect(restoredBounds(onUnplugged, [laptop], laptop)).toEqual({ x: 260, y: 75, width: 1400, height: 900 });
    expect(restoredBounds(null, [laptop], laptop)).toEqual({ x: 260, y: 75, width: 1400, height: 900 });
  });

  it('rejects a window whose title bar is out of reach or only a sliver is visible', () => {
    expect(isVisibleOn({ x: 100, y: -500, width: 1200, height: 800 }, [laptop])).toBe(false);
    expect(isVisibleOn({ x: 1880, y: 100, width: 1200, height: 800 }, [laptop])).toBe(false);
    expect(isVisibleOn({ x: 100, y: 1030, width: 1200, height: 800 }, [laptop])).toBe(false);
  });

  it('shrinks the default size to a small screen and centres it on that screen', () => {
    expect(centredBounds({ x: 1920, y: 25, width: 1280, height: 775 })).toEqual({ x: 1920, y: 25, width: 1280, height: 775 });
  });

  it('reads a saved state, keeping maximized and full-screen, and ignores malformed ones', () => {
    const state = { bounds: { x: 10, y: 20, width: 1000, height: 700 }, maximized: true, fullScreen: false };
    expect(parseWindowState(JSON.stringify(state))).toEqual(state);
    expect(parseWindowState('{"bounds":')).toBeNull();
    expect(parseWindowState('null')).toBeNull();
    expect(parseWindowState(JSON.stringify({ bounds: { x: 0, y: 0, width: 'wide', height: 700 } }))).toBeNull();
    expect(parseWindowState(JSON.stringify({ bounds: { x: 0, y: 0, width: 10, height: 10 } }))).toBeNull();
  });
});

describe('window state tracking', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'weft-window-'));
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  function fakeWindow() {
    const listeners = new Map<string, Array<() => void>>();
    const state = { bounds: { x: 50, y: 60, width: 1000, height: 700 }, maximized: false, fullScreen: false };
    const win: TrackedWindow = {
      on: (event, fn) => listeners.set(event, [...(listeners.get(event) ?? []), fn]),
      getNormalBounds: () => state.bounds,
      isMaximized: () => state.maximized,
      isFullScreen: () => state.fullScreen,
      isDestroyed: () => false,
    };
    const emit = (event: string) => listeners.get(event)?.forEach((fn) => fn());
    return { win, state, emit };
  }

  it('saves once after a burst of moves, and again on close, remembering maximized', () => {
    const file = windowStateFile(dir);
    const { win, state, emit } = fakeWindow();
    trackWindowState(win, file, 500);
    emit('move');
    state.bounds = { ...state.bounds, x: 80 };
    emit('move');
    emit('resize');
    expect(loadWindowState(file)).toBeNull();
    vi.advanceTimersByTime(500);
    expect(loadWindowState(file)?.bounds.x).toBe(80);
    state.maximized = true;
    emit('close');
    expect(loadWindowState(file)).toEqual({ bounds: { x: 80, y: 60, width: 1000, height: 700 }, maximized: true, fullScreen: false });
    expect(readdirSync(dir)).toEqual(['window-state.json']);
  });

  it('treats an unreadable file as no saved state', () => {
    const file = windowStateFile(dir);
    writeFileSync(file, 'garbage');
    expect(loadWindowState(file)).toBeNull();
    expect(loadWindowState(join(dir, 'missing.json'))).toBeNull();
    expect(readFileSync(file, 'utf8')).toBe('garbage');
  });
});
