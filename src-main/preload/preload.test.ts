import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { API_METHODS } from '../../nodes/sdk/api-methods.ts';
import { apiArgSchemas } from '../../nodes/sdk/api.ts';
import { MENU_CHANNEL, SHELL_METHODS, type MenuCommand } from '../../nodes/sdk/shell.ts';
import { shellArgSchemas } from '../../nodes/sdk/shell-schemas.ts';

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
    expect(Object.keys(apiArgSchemas).sort()).toEqual([...API_METHODS].sort());
    await api.getRun!('r1');
    expect(invoke).toHaveBeenCalledWith('weft:getRun', 'r1');
  });

  it('exposes exactly the shell methods (and onMenuCommand) as window.weftShell, each a plain invoke', async () => {
    await import('./index.ts');
    const shell = exposed.weftShell as Record<string, (...a: unknown[]) => Promise<unknown>>;
    expect(Object.keys(shell).sort()).toEqual([...SHELL_METHODS, 'onMenuCommand'].sort());
    expect(Object.keys(shellArgSchemas).sort()).toEqual([...SHELL_METHODS].sort());
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

  it('imports nothing but electron and dependency-free modules at run time (a sandboxed preload can require nothing else)', () => {
    const source = readFileSync(new URL('./index.ts', import.meta.url), 'utf8');
    const runtimeImports = [...source.matchAll(/^import (?!type )[^;]*from '([^']+)'/gm)].map((m) => m[1]);
    expect(runtimeImports).toEqual(['electron', '../../nodes/sdk/api-methods.ts', '../../nodes/sdk/shell.ts']);
    for (const module of ['../../nodes/sdk/api-methods.ts', '../../nodes/sdk/shell.ts']) {
      expect(readFileSync(new URL(module, import.meta.url), 'utf8')).not.toMatch(/^\s*(import|export .* from) /m);
    }
  });
});
