import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { apiArgSchemas, type ApiMethod, type EngineEvent, type WeftApi } from '../../nodes/sdk/index.ts';

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
      const frame = event.senderFrame;
      if (!frame || frame.parent !== null || !isAppUrl(frame.url)) {
        throw new Error(`refused ${method}: the request did not come from Weft's own window`);
      }
      const parsed = apiArgSchemas[method].safeParse(args);
      if (!parsed.success) {
        throw new Error(`refused ${method}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ')}`);
      }
      const fn = api[method] as (...a: unknown[]) => Promise<unknown>;
      return fn.apply(api, parsed.data as unknown[]);
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
