/** Exposes exactly Weft's API and the native shell to the renderer, nothing generic (no ipcRenderer, no Node). */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_METHODS, type WeftApi } from '../../nodes/sdk/doors/weft-api.ts';
import { MENU_CHANNEL, SHELL_IPC_PREFIX, SHELL_METHODS, type MenuCommand, type ShellApi } from '../../nodes/sdk/doors/shell-api.ts';
import type { EngineEvent } from '../../nodes/sdk/runs.ts';

const call =
  (channel: string) =>
  (...args: unknown[]) =>
    ipcRenderer.invoke(channel, ...args);

// Exactly the methods the main process binds, each a plain invoke; nothing generic. The preload is
// sandboxed and may require nothing but electron: the door modules import nothing at run time but
// each other (their schemas are built from a zod namespace handed to them by the host).
const api: WeftApi = {
  ...(Object.fromEntries(API_METHODS.map((method) => [method, call(`weft:${method}`)])) as unknown as Omit<WeftApi, 'subscribe'>),
  subscribe(listener: (event: EngineEvent) => void) {
    const handler = (_event: IpcRendererEvent, payload: EngineEvent) => listener(payload);
    ipcRenderer.on('weft:event', handler);
    return () => ipcRenderer.removeListener('weft:event', handler);
  },
};

const weftShell: ShellApi = {
  ...(Object.fromEntries(SHELL_METHODS.map((method) => [method, call(SHELL_IPC_PREFIX + method)])) as unknown as Omit<ShellApi, 'onMenuCommand'>),
  onMenuCommand(listener: (command: MenuCommand) => void) {
    // The IPC event object is not passed on: it would hand the page a way back into ipcRenderer.
    const handler = (_event: IpcRendererEvent, command: MenuCommand) => listener(command);
    ipcRenderer.on(MENU_CHANNEL, handler);
    return () => ipcRenderer.removeListener(MENU_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld('weft', api);
contextBridge.exposeInMainWorld('weftShell', weftShell);
