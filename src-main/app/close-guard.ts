/** Asks before a window with unsaved edits closes. */
import type { MessageBoxOptions, MessageBoxReturnValue } from 'electron';
import type { DocumentStates } from './document-state.ts';
import { documentName } from './document-state.ts';

export interface GuardedWindow {
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): unknown;
  close(): void;
  isDestroyed(): boolean;
}

export interface CloseGuardOptions {
  documents: DocumentStates;
  showMessageBox(win: GuardedWindow, options: MessageBoxOptions): Promise<Pick<MessageBoxReturnValue, 'response'>>;
  /** The user kept the window open (a quit in progress should stop). */
  onCancel?: () => void;
  /** The user discarded the edits and the window is closing (a quit in progress may go on). */
  onDiscard?: () => void;
}

export const CANCEL = 0;
export const DISCARD = 1;

export function discardDialogOptions(name: string): MessageBoxOptions {
  return {
    type: 'warning',
    buttons: ['Cancel', 'Discard'],
    defaultId: CANCEL,
    cancelId: CANCEL,
    noLink: true,
    message: `Discard unsaved changes to ${name}?`,
    detail: "Weft's autosave keeps a draft of these edits anyway: it offers to restore them the next time Weft starts.",
  };
}

/**
 * The close is stopped at once and the question asked asynchronously (a synchronous box would block
 * the main process, and with it every IPC reply); on Discard the window is closed again, this time
 * with nothing left to ask.
 */
export function guardDirtyClose(win: GuardedWindow, options: CloseGuardOptions): void {
  let asking = false;
  win.on('close', (event) => {
    if (!options.documents.isDirty(win)) return;
    event.preventDefault();
    if (asking) return;
    asking = true;
    const name = documentName(options.documents.get(win)!);
    void options
      .showMessageBox(win, discardDialogOptions(name))
      .then(({ response }) => {
        asking = false;
        if (response !== DISCARD) return options.onCancel?.();
        options.documents.markClean(win);
        options.onDiscard?.();
        if (!win.isDestroyed()) win.close();
      })
      .catch(() => {
        asking = false;
        options.onCancel?.();
      });
  });
}
