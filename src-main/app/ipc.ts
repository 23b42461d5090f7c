import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { type EngineEvent, type WeftApi, weftApiDoor } from '../../nodes/sdk/index.ts';
import { bindDoor } from '../../nodes/sdk/doors/bind-door.ts';
import { pickGuarded } from '../host/pick-guard.ts';
import { assertFromAppWindow } from './ipc-guard.ts';

export const IPC_PREFIX = 'weft:';
export const EVENT_CHANNEL = 'weft:event';

const door = bindDoor<WeftApi>(weftApiDoor);

/**
 * Binds the Weft API to IPC. Each call is refused unless it comes from the app's own main frame
 * and its arguments match the API schema; nothing generic (no eval, no fs) is reachable.
 */
export function bindApi(ipcMain: IpcMain, api: WeftApi, isAppUrl: (url: string) => boolean): () => void {
  // Per window, as per connection in web mode: allowPath only for what that window's picker listed.
  const perWindow = new WeakMap<object, WeftApi>();
  const apiFor = (sender: object) => {
    let guarded = perWindow.get(sender);
    if (!guarded) perWindow.set(sender, (guarded = pickGuarded(api)));
    return guarded;
  };
  const noSender = {};
  for (const method of door.methods) {
    ipcMain.handle(IPC_PREFIX + method, async (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      assertFromAppWindow(event, isAppUrl, method);
      return door.dispatch(apiFor((event as Partial<IpcMainInvokeEvent>).sender ?? noSender), method, args);
    });
  }
  return () => door.methods.forEach((m) => ipcMain.removeHandler(IPC_PREFIX + m));
}

/** Forwards engine events to a window for as long as it lives. */
export function forwardEvents(api: WeftApi, contents: WebContents): () => void {
  const unsubscribe = api.subscribe((event: EngineEvent) => {
    if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, event);
  });
  contents.once('destroyed', unsubscribe);
  return unsubscribe;
}
