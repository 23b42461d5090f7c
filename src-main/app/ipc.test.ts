import { describe, expect, it, vi } from 'vitest';
import type { IpcMain } from 'electron';
import type { WeftApi } from '../../nodes/sdk/index.ts';
import { bindApi } from './ipc.ts';

vi.mock('electron', () => ({}));

const APP = 'file:///opt/weft/out/renderer/index.html';
const isAppUrl = (url: string) => url === APP;

function fakeIpc() {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>();
  const ipc = { handle: (ch: string, fn: never) => handlers.set(ch, fn), removeHandler: (ch: string) => handlers.delete(ch) };
  return { ipc: ipc as unknown as IpcMain, handlers };
}

function fakeApi(): WeftApi {
  return {
    listNodeTypes: vi.fn(async () => []),
    getRun: vi.fn(async (id: string) => ({ id }) as never),
    startRun: vi.fn(async () => ({ runId: 'r1' })),
  } as unknown as WeftApi;
}

const from = (url: string, parent: object | null = null) => ({ senderFrame: { url, parent } });

describe('IPC binding', () => {
  it('serves API calls from the app window with valid arguments', async () => {
    const { ipc, handlers } = fakeIpc();
    const api = fakeApi();
    bindApi(ipc, api, isAppUrl);
    expect(await handlers.get('weft:getRun')!(from(APP), '20261127-120000-abcdef')).toEqual({ id: '20261127-120000-abcdef' });
    expect(api.getRun).toHaveBeenCalledWith('20261127-120000-abcdef');
  });

  it('refuses calls from another origin or a sub-frame', async () => {
    const { ipc, handlers } = fakeIpc();
    const api = fakeApi();
    bindApi(ipc, api, isAppUrl);
    await expect(handlers.get('weft:listNodeTypes')!(from('https://evil.example/'))).rejects.toThrow(/did not come from Weft's own window/);
    await expect(handlers.get('weft:listNodeTypes')!(from(APP, { url: APP }))).rejects.toThrow(/did not come from Weft's own window/);
    await expect(handlers.get('weft:listNodeTypes')!({ senderFrame: null })).rejects.toThrow(/refused/);
    expect(api.listNodeTypes).not.toHaveBeenCalled();
  });

  it('refuses arguments that do not match the API schema, naming the bad field', async () => {
    const { ipc, handlers } = fakeIpc();
    const api = fakeApi();
    bindApi(ipc, api, isAppUrl);
    await expect(handlers.get('weft:getRun')!(from(APP), '../../etc/passwd')).rejects.toThrow(/refused getRun/);
    await expect(handlers.get('weft:startRun')!(from(APP), { graph: {}, seed: -1 })).rejects.toThrow(/request\.seed/);
    await expect(handlers.get('weft:startRun')!(from(APP), { graph: {}, exec: 'rm' })).rejects.toThrow(/refused startRun/);
    expect(api.getRun).not.toHaveBeenCalled();
    expect(api.startRun).not.toHaveBeenCalled();
  });

  it('allows a path only when that window\'s file picker listed it, as web mode does per connection', async () => {
    const { ipc, handlers } = fakeIpc();
    const allowed: string[] = [];
    const api = {
      listFolder: vi.fn(async (path?: string) => ({ path: path ?? '/home/u', parent: null, entries: [{ name: 'data.txt', path: '/home/u/data.txt', kind: 'file' }] })),
      allowPath: vi.fn(async (path: string) => void allowed.push(path)),
    } as unknown as WeftApi;
    bindApi(ipc, api, isAppUrl);
    const windowA = { senderFrame: { url: APP, parent: null }, sender: { id: 1 } };
    const windowB = { senderFrame: { url: APP, parent: null }, sender: { id: 2 } };
    // Never listed anywhere: refused, whatever the path.
    await expect(handlers.get('weft:allowPath')!(windowA, '/etc/shadow')).rejects.toThrow(/only a file or folder picked in the editor's file picker/);
    await handlers.get('weft:listFolder')!(windowA, '/home/u');
    // Listed in window A: A may allow it, B (which never browsed there) may not.
    await expect(handlers.get('weft:allowPath')!(windowB, '/home/u/data.txt')).rejects.toThrow(/refused/);
    await handlers.get('weft:allowPath')!(windowA, '/home/u/data.txt');
    await expect(handlers.get('weft:allowPath')!(windowA, '/home/u/../../etc/shadow')).rejects.toThrow(/refused/);
    expect(allowed).toEqual(['/home/u/data.txt']);
  });

  it('binds exactly the API methods and can unbind them', () => {
    const { ipc, handlers } = fakeIpc();
    const unbind = bindApi(ipc, fakeApi(), isAppUrl);
    expect([...handlers.keys()].every((k) => k.startsWith('weft:'))).toBe(true);
    expect(handlers.has('weft:subscribe')).toBe(false);
    unbind();
    expect(handlers.size).toBe(0);
  });
});
