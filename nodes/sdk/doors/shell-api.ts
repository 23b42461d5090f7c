/**
 * The shell: what the desktop app's window offers beyond the Weft API (native dialogs, the
 * application menu, recent files, revealing folders). The browser (weft serve) has no native shell;
 * the renderer provides in-page equivalents there. Declared here once: the interface and shellDoor
 * (each request's parameters and argument schemas, checked by the host on arrival). No run-time
 * imports, so the sandboxed preload may import it (see door.ts).
 */
import type { CommandId } from '../commands.ts';
import { requestMethods, type Door, type RequestMethod, type Zod } from './door.ts';

/** Commands the native menu sends to the editor: any editor command (commands.ts), or a recent file. */
export type MenuCommand = { command: CommandId } | { command: 'open-recent'; path: string };

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

// A NUL byte truncates paths in native APIs, so a path with one could name a different file.
const path = (z: Zod) =>
  z
    .string()
    .min(1)
    .max(4096)
    .refine((p) => !p.includes('\0'), 'must not contain a NUL byte');
const extension = (z: Zod) => z.string().regex(/^[A-Za-z0-9]{1,16}$/, 'must be 1 to 16 letters or digits, without the dot');
const title = (z: Zod) => z.string().max(200);

/**
 * Every request of ShellApi with its parameters, in order (onMenuCommand is an event, not a
 * request). Adding a method means adding it to the interface and here; the compiler refuses one
 * without the other.
 */
export const shellDoor = {
  chooseGraphToOpen: () => ({}),
  chooseGraphSavePath: (z) => ({ suggestedName: title(z) }),
  pickPath: (z) => ({
    options: z.strictObject({
      kind: z.enum(['file', 'folder']),
      title: title(z).optional(),
      extensions: z.array(extension(z)).max(32).optional(),
      defaultPath: path(z).optional(),
    }),
  }),
  revealPath: (z) => ({ path: path(z) }),
  listRecentFiles: () => ({}),
  addRecentFile: (z) => ({ path: path(z) }),
  removeRecentFile: (z) => ({ path: path(z) }),
  setDocumentState: (z) => ({ state: z.strictObject({ path: path(z).nullable(), dirty: z.boolean(), title: title(z) }) }),
  nativeEdit: (z) => ({ action: z.enum(NATIVE_EDIT_ACTIONS as [NativeEditAction, ...NativeEditAction[]]) }),
} satisfies Door<ShellApi>;

export type ShellMethod = RequestMethod<ShellApi>;

/** The shell's request methods by name. */
export const SHELL_METHODS: readonly ShellMethod[] = requestMethods<ShellApi>(shellDoor);

export const SHELL_IPC_PREFIX = 'weft-shell:';
export const MENU_CHANNEL = 'weft-shell:menu';
