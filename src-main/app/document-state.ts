/**
 * What each window is editing, as the renderer last reported it: the window's title, the macOS
 * document markers, and whether closing it must ask first.
 */
import { basename, isAbsolute } from 'node:path';
import type { DocumentState } from '../../nodes/sdk/doors/shell-api.ts';

export const APP_TITLE = 'Weft';

/** The part of BrowserWindow this uses. */
export interface DocumentWindow {
  setTitle(title: string): void;
  setRepresentedFilename(path: string): void;
  setDocumentEdited(edited: boolean): void;
}

export function documentName(state: DocumentState): string {
  const title = state.title.trim();
  if (title) return title;
  return state.path ? basename(state.path) : 'Untitled';
}

/**
 * "• name — Weft" while there are unsaved edits. macOS marks an edited document in the close
 * button instead (setDocumentEdited), so the title there carries no bullet.
 */
export function windowTitle(state: DocumentState, platform: NodeJS.Platform): string {
  const marker = state.dirty && platform !== 'darwin' ? '• ' : '';
  return `${marker}${documentName(state)} — ${APP_TITLE}`;
}

export class DocumentStates {
  // Keyed by the window object, so a closed window's entry goes with it.
  private readonly states = new WeakMap<object, DocumentState>();

  constructor(private readonly platform: NodeJS.Platform) {}

  get(win: object): DocumentState | undefined {
    return this.states.get(win);
  }

  isDirty(win: object): boolean {
    return this.states.get(win)?.dirty ?? false;
  }

  /** Forgets unsaved edits, e.g. once the user chose to discard them. */
  markClean(win: object): void {
    const state = this.states.get(win);
    if (state) this.states.set(win, { ...state, dirty: false });
  }

  apply(win: DocumentWindow, state: DocumentState): void {
    this.states.set(win, state);
    win.setTitle(windowTitle(state, this.platform));
    if (this.platform === 'darwin') {
      // The proxy icon in the title bar must name a real file, so only an absolute path is shown.
      win.setRepresentedFilename(state.path && isAbsolute(state.path) ? state.path : '');
      win.setDocumentEdited(state.dirty);
    }
  }
}
