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

  it('binds exactly the API methods and can unbind them', () => {
    const { ipc, handlers } = fakeIpc();
    const unbind = bindApi(ipc, fakeApi(), isAppUrl);
    expect([...handlers.keys()].every((k) => k.startsWith('weft:'))).toBe(true);
    expect(handlers.has('weft:subscribe')).toBe(false);
    unbind();
    expect(handlers.size).toBe(0);
  });
});
