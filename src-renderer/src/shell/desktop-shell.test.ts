import { afterEach, describe, expect, it, vi } from 'vitest';
import { desktopShell } from './desktop-shell.ts';

afterEach(() => vi.unstubAllGlobals());

describe('desktopShell', () => {
  it('is the preload-exposed shell in the desktop app', () => {
    const weftShell = { revealPath: async () => undefined };
    vi.stubGlobal('window', { weftShell });
    expect(desktopShell()).toBe(weftShell);
  });

  it('is null in the browser', () => {
    vi.stubGlobal('window', {});
    expect(desktopShell()).toBeNull();
  });
});
