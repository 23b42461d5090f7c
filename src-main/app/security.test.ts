import { describe, expect, it, vi } from 'vitest';
import type { Session, WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY, hardenSession, lockNavigation, secureWebPreferences } from './security.ts';

vi.mock('electron', () => ({}));

describe('window security', () => {
  it('isolates and sandboxes the renderer', () => {
    expect(secureWebPreferences('/p.cjs')).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, preload: '/p.cjs' });
  });

  it('denies navigation away from the app, redirects, webviews and new windows', () => {
    const listeners = new Map<string, (e: { preventDefault(): void }, url?: string) => void>();
    let openHandler: (() => { action: string }) | undefined;
    const contents = {
      on: (name: string, fn: never) => listeners.set(name, fn),
      setWindowOpenHandler: (fn: never) => (openHandler = fn),
    } as unknown as WebContents;
    lockNavigation(contents, (url) => url.startsWith('file:///app/'));
    const prevent = vi.fn();
    listeners.get('will-navigate')!({ preventDefault: prevent }, 'https://evil.example/');
    listeners.get('will-redirect')!({ preventDefault: prevent }, 'https://evil.example/');
    listeners.get('will-attach-webview')!({ preventDefault: prevent });
    expect(prevent).toHaveBeenCalledTimes(3);
    listeners.get('will-navigate')!({ preventDefault: prevent }, 'file:///app/index.html#runs');
    expect(prevent).toHaveBeenCalledTimes(3);
    expect(openHandler!()).toEqual({ action: 'deny' });
  });

  it('denies every permission and sends a strict CSP', () => {
    let permission: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | undefined;
    let headers: ((d: { responseHeaders: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void) | undefined;
    const session = {
      setPermissionRequestHandler: (fn: never) => (permission = fn),
      setPermissionCheckHandler: vi.fn(),
      webRequest: { onHeadersReceived: (fn: never) => (headers = fn) },
    } as unknown as Session;
    hardenSession(session);
    const cb = vi.fn();
    permission!({}, 'media', cb);
    expect(cb).toHaveBeenCalledWith(false);
    const out = vi.fn();
    headers!({ responseHeaders: {} }, out);
    expect(out.mock.calls[0]![0].responseHeaders['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
  });
});
