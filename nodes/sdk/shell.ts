/**
 * What the desktop app's window offers beyond the Weft API: native dialogs, the application menu,
 * recent files, revealing folders. The browser (weft serve) has no native shell; the renderer
 * provides in-page equivalents there. Dependency-free, so the sandboxed preload may import it.
 */

/** Commands the native menu sends to the editor. */
export type MenuCommand =
  | { command: 'new' | 'open' | 'save' | 'save-as' | 'templates' | 'close-viewing' }
  | { command: 'open-recent'; path: string }
  | { command: 'undo' | 'redo' | 'cut' | 'copy' | 'paste' | 'duplicate' | 'delete' | 'select-all' }
  | { command: 'fit' | 'tidy' | 'history' | 'playground' | 'shortcuts' }
  | { command: 'run' | 'pause' | 'resume' | 'cancel' };

export interface PickPathOptions {
  kind: 'file' | 'folder';
  title?: string;
  /** File extensions without the dot, e.g. ['txt', 'jsonl', 'csv']. */
  extensions?: string[];
  defaultPath?: string;
}

export interface DocumentState {
  /** The graph's file, or null for a new graph. */
  path: string | null;
  /** Unsaved edits: the window asks before it closes. */
  dirty: boolean;
  title: string;
}

/**
 * Text-editing actions the app performs natively in the focused text field. The Edit menu sends
 * these as MenuCommands (they usually act on the graph); when focus is in a text field the renderer
 * hands them back through nativeEdit, because only the host can paste into a field (the page has no
 * clipboard permission and a menu click carries no user activation).
 */
export type NativeEditAction = 'undo' | 'redo' | 'cut' | 'copy' | 'paste' | 'delete' | 'select-all';

export const NATIVE_EDIT_ACTIONS: readonly NativeEditAction[] = ['undo', 'redo', 'cut', 'copy', 'paste', 'delete', 'select-all'];

export interface ShellApi {
  /** Native "Open" dialog for a graph file; null when the user cancels. */
  chooseGraphToOpen(): Promise<string | null>;
  /** Native "Save as" dialog; the path ends in .weft.json; null when cancelled. */
  chooseGraphSavePath(suggestedName: string): Promise<string | null>;
  /** Native file/folder picker for a node's file or folder param. */
  pickPath(options: PickPathOptions): Promise<string | null>;
  /** Shows a file or folder in the system file manager. */
  revealPath(path: string): Promise<void>;
  /** Recent graph files, newest first (kept by the app, shown in File > Open Recent too). */
  listRecentFiles(): Promise<string[]>;
  addRecentFile(path: string): Promise<void>;
  removeRecentFile(path: string): Promise<void>;
  /** Window title, dirty marker, represented file; the app asks before closing a dirty window. */
  setDocumentState(state: DocumentState): Promise<void>;
  /**
   * Runs a native editing action in the window's focused text field. Optional so that in-page
   * (browser) shells need not offer it; the desktop shell always does.
   */
  nativeEdit?(action: NativeEditAction): Promise<void>;
  /** Commands chosen from the native menu. */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}

/** Request methods of the shell by name (onMenuCommand is an event, not a request). */
export const SHELL_METHODS = [
  'chooseGraphToOpen',
  'chooseGraphSavePath',
  'pickPath',
  'revealPath',
  'listRecentFiles',
  'addRecentFile',
  'removeRecentFile',
  'setDocumentState',
  'nativeEdit',
] as const;

export type ShellMethod = (typeof SHELL_METHODS)[number];

export const SHELL_IPC_PREFIX = 'weft-shell:';
export const MENU_CHANNEL = 'weft-shell:menu';
