import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { API_METHODS, weftApiDoor } from '../../nodes/sdk/doors/weft-api.ts';
import { MENU_CHANNEL, SHELL_METHODS, shellDoor, type MenuCommand } from '../../nodes/sdk/doors/shell-api.ts';

const exposed: Record<string, unknown> = {};
const invoke = vi.fn(async () => 'ok');
const listeners = new Map<string, (event: unknown, payload: unknown) => void>();
const removeListener = vi.fn((channel: string) => listeners.delete(channel));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer: { invoke, on: (channel: string, fn: never) => listeners.set(channel, fn), removeListener },
}));

describe('preload', () => {
  it('exposes exactly the API methods (and subscribe) as window.weft, each a plain invoke', async () => {
    await import('./index.ts');
    const api = exposed.weft as Record<string, (...a: unknown[]) => Promise<unknown>>;
    expect(Object.keys(api).sort()).toEqual([...API_METHODS, 'subscribe'].sort());
    expect(Object.keys(weftApiDoor).sort()).toEqual([...API_METHODS].sort());
    await api.getRun!('r1');
    expect(invoke).toHaveBeenCalledWith('weft:getRun', 'r1');
  });

  it('exposes exactly the shell methods (and onMenuCommand) as window.weftShell, each a plain invoke', async () => {
    await import('./index.ts');
    const shell = exposed.weftShell as Record<string, (...a: unknown[]) => Promise<unknown>>;
    expect(Object.keys(shell).sort()).toEqual([...SHELL_METHODS, 'onMenuCommand'].sort());
    expect(Object.keys(shellDoor).sort()).toEqual([...SHELL_METHODS].sort());
    await shell.revealPath!('/tmp/x');
    expect(invoke).toHaveBeenCalledWith('weft-shell:revealPath', '/tmp/x');
    await shell.pickPath!({ kind: 'file', extensions: ['txt'] });
    expect(invoke).toHaveBeenCalledWith('weft-shell:pickPath', { kind: 'file', extensions: ['txt'] });
  });

  it('passes menu commands on without the IPC event, and unsubscribes', async () => {
    await import('./index.ts');
    const shell = exposed.weftShell as { onMenuCommand(l: (c: MenuCommand) => void): () => void };
    const got: unknown[][] = [];
    const off = shell.onMenuCommand((...args) => got.push(args));
    listeners.get(MENU_CHANNEL)!({ sender: 'ipc internals' }, { command: 'open-recent', path: '/g/a.weft.json' });
    expect(got).toEqual([[{ command: 'open-recent', path: '/g/a.weft.json' }]]);
    off();
    expect(removeListener).toHaveBeenCalledWith(MENU_CHANNEL, expect.any(Function));
    expect(listeners.has(MENU_CHANNEL)).toBe(false);
  });

  it('imports nothing but electron and the dependency-free door modules at run time (a sandboxed preload can require nothing else)', () => {
    const runtimeImports = (url: URL) => [...readFileSync(url, 'utf8').matchAll(/^import (?!type )[^;]*from '([^']+)'/gm)].map((m) => m[1]!);
    const preload = new URL('./index.ts', import.meta.url);
    expect(runtimeImports(preload)).toEqual(['electron', '../../nodes/sdk/doors/weft-api.ts', '../../nodes/sdk/doors/shell-api.ts']);
    // Everything the door modules load at run time, transitively, is a module of the doors folder.
    const seen = new Set<string>();
    const walk = (url: URL) => {
      if (seen.has(url.href)) return;
      seen.add(url.href);
      for (const spec of runtimeImports(url)) {
        expect(spec, `${url.pathname} imports ${spec}`).toMatch(/^\.\/[a-z-]+\.ts$/);
        walk(new URL(spec, url));
      }
      expect(readFileSync(url, 'utf8')).not.toMatch(/^export (?!type )[^;]* from /m);
    };
    for (const spec of runtimeImports(preload).slice(1)) walk(new URL(spec, preload));
    expect([...seen].map((u) => u.split('/').pop()).sort()).toEqual(['door.ts', 'shell-api.ts', 'weft-api.ts']);
  });
});
