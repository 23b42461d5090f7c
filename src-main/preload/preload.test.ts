import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { API_METHODS } from '../../nodes/sdk/api-methods.ts';
import { apiArgSchemas } from '../../nodes/sdk/api.ts';

const exposed: Record<string, unknown> = {};
const invoke = vi.fn(async () => 'ok');
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer: { invoke, on: vi.fn(), removeListener: vi.fn() },
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

  it('imports nothing but electron at run time (a sandboxed preload can require nothing else)', () => {
    const source = readFileSync(new URL('./index.ts', import.meta.url), 'utf8');
    const runtimeImports = [...source.matchAll(/^import (?!type )[^;]*from '([^']+)'/gm)].map((m) => m[1]);
    expect(runtimeImports).toEqual(['electron', '../../nodes/sdk/api-methods.ts']);
    expect(readFileSync(new URL('../../nodes/sdk/api-methods.ts', import.meta.url), 'utf8')).not.toMatch(/^import /m);
  });
});
