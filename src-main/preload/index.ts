/** Exposes exactly Weft's API to the renderer, nothing generic (no ipcRenderer, no Node). */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_METHODS } from '../../nodes/sdk/api-methods.ts';
import type { WeftApi } from '../../nodes/sdk/api.ts';
import type { EngineEvent } from '../../nodes/sdk/runs.ts';

const call =
  (method: string) =>
  (...args: unknown[]) =>
    ipcRenderer.invoke(`weft:${method}`, ...args);

// Exactly the methods the main process binds, each a plain invoke; nothing generic. The preload is
// sandboxed and may require nothing but electron, so the names come from a dependency-free module.
const api: WeftApi = {
  ...(Object.fromEntries(API_METHODS.map((method) => [method, call(method)])) as unknown as Omit<WeftApi, 'subscribe'>),
  subscribe(listener: (event: EngineEvent) => void) {
    const handler = (_event: IpcRendererEvent, payload: EngineEvent) => listener(payload);
    ipcRenderer.on('weft:event', handler);
    return () => ipcRenderer.removeListener('weft:event', handler);
  },
};

contextBridge.exposeInMainWorld('weft', api);
