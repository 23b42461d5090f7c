import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { apiArgSchemas, type ApiMethod, type EngineEvent, type WeftApi } from '../../nodes/sdk/index.ts';
import { assertFromAppWindow, parseArgs } from './ipc-guard.ts';

export const IPC_PREFIX = 'weft:';
export const EVENT_CHANNEL = 'weft:event';

/**
 * Binds the Weft API to IPC. Each call is refused unless it comes from the app's own main frame
 * and its arguments match the API schema; nothing generic (no eval, no fs) is reachable.
 */
export function bindApi(ipcMain: IpcMain, api: WeftApi, isAppUrl: (url: string) => boolean): () => void {
  const methods = Object.keys(apiArgSchemas) as ApiMethod[];
  for (const method of methods) {
    ipcMain.handle(IPC_PREFIX + method, async (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      assertFromAppWindow(event, isAppUrl, method);
      const data = parseArgs<unknown[]>(apiArgSchemas[method], args, method);
      const fn = api[method] as (...a: unknown[]) => Promise<unknown>;
      return fn.apply(api, data);
    });
  }
  return () => methods.forEach((m) => ipcMain.removeHandler(IPC_PREFIX + m));
}

/** Forwards engine events to a window for as long as it lives. */
export function forwardEvents(api: WeftApi, contents: WebContents): () => void {
  const unsubscribe = api.subscribe((event: EngineEvent) => {
    if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, event);
  });
  contents.once('destroyed', unsubscribe);
  return unsubscribe;
}
