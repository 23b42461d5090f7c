import type { IpcMainInvokeEvent } from 'electron';

/**
 * Refuses a request unless it comes from the main frame of the app's own page: a sub-frame or a
 * page that somehow navigated elsewhere must not reach the API or the shell.
 */
export function assertFromAppWindow(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, isAppUrl: (url: string) => boolean, method: string): void {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null || !isAppUrl(frame.url)) {
    throw new Error(`refused ${method}: the request did not come from Weft's own window`);
  }
}
