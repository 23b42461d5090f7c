/**
 * Binds the native shell (dialogs, recent files, window document state) to IPC, with the same
 * guard as the Weft API: the app's own main frame only, arguments schema-checked on arrival.
 * Nothing here opens or runs a file: revealPath only shows one in the file manager.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import type { BrowserWindow, Dialog, FileFilter, IpcMain, IpcMainInvokeEvent, OpenDialogOptions, SaveDialogOptions, Shell, WebContents } from 'electron';
import { bindDoor } from '../../nodes/sdk/doors/bind-door.ts';
import { SHELL_IPC_PREFIX, shellDoor, type DocumentState, type NativeEditAction, type PickPathOptions, type ShellApi, type ShellMethod } from '../../nodes/sdk/doors/shell-api.ts';
import type { DocumentStates } from './document-state.ts';
import { assertFromAppWindow } from './ipc-guard.ts';
import type { RecentFiles } from './recent-files.ts';

export const GRAPH_SUFFIX = '.weft.json';

export interface ShellDeps {
  dialog: Pick<Dialog, 'showOpenDialog' | 'showSaveDialog'>;
  shell: Pick<Shell, 'showItemInFolder'>;
  /** BrowserWindow.fromWebContents in the app. */
  windowFor(contents: WebContents): BrowserWindow | null;
  /** The workspace's graphs/ folder: where Open and Save As start. */
  graphsDir: string;
  recent: RecentFiles;
  documents: DocumentStates;
  platform: NodeJS.Platform;
  /** A file or folder the user chose for a param: graphs may read it from now on. */
  onPicked?(path: string): void;
}

/**
 * macOS matches a filter against the last extension only, so "weft.json" would hide every graph
 * there; other platforms match the whole pattern.
 */
export function graphFilters(platform: NodeJS.Platform): FileFilter[] {
  return [
    { name: 'Weft graph', extensions: [platform === 'darwin' ? 'json' : 'weft.json'] },
    { name: 'All files', extensions: ['*'] },
  ];
}

/** The chosen save path, made to end in .weft.json ("model" and "model.json" both become "model.weft.json"). */
export function withGraphSuffix(path: string): string {
  if (path.endsWith(GRAPH_SUFFIX)) return path;
  return (path.endsWith('.json') ? path.slice(0, -'.json'.length) : path) + GRAPH_SUFFIX;
}

/** A file name for the save dialog from the renderer's suggestion: no folders, no odd characters. */
export function suggestedFileName(suggested: string): string {
  const name = basename(suggested.replace(/\\/g, '/'))
    .replace(/[<>:"|?*\u0000-\u001f]/g, '_')
    .trim();
  const stem = name.replace(/\.weft\.json$|\.json$/, '');
  return (stem && stem !== '.' && stem !== '..' ? stem : 'untitled') + GRAPH_SUFFIX;
}

export function pickPathDialogOptions(options: PickPathOptions): OpenDialogOptions {
  const file = options.kind === 'file';
  const filters: FileFilter[] =
    file && options.extensions?.length
      ? [
          { name: options.extensions.map((e) => `.${e}`).join(', '), extensions: options.extensions },
          { name: 'All files', extensions: ['*'] },
        ]
      : [];
  return {
    title: options.title ?? (file ? 'Choose a file' : 'Choose a folder'),
    ...(options.defaultPath ? { defaultPath: options.defaultPath } : {}),
    ...(filters.length ? { filters } : {}),
    properties: file ? ['openFile'] : ['openDirectory', 'createDirectory'],
  };
}

const EDIT_ROLES: Record<NativeEditAction, (contents: WebContents) => void> = {
  undo: (c) => c.undo(),
  redo: (c) => c.redo(),
  cut: (c) => c.cut(),
  copy: (c) => c.copy(),
  paste: (c) => c.paste(),
  delete: (c) => c.delete(),
  'select-all': (c) => c.selectAll(),
};

/** The shell's requests as one window (the sender's) gets them. */
type WindowShell = Pick<ShellApi, ShellMethod>;

function handlers(deps: ShellDeps): (sender: WebContents, win: BrowserWindow | null) => WindowShell {
  const graphsDir = () => {
    // A new workspace has no graphs/ yet; the dialogs should still start there.
    mkdirSync(deps.graphsDir, { recursive: true });
    return deps.graphsDir;
  };
  const open = (win: BrowserWindow | null, options: OpenDialogOptions) => (win ? deps.dialog.showOpenDialog(win, options) : deps.dialog.showOpenDialog(options));
  const save = (win: BrowserWindow | null, options: SaveDialogOptions) => (win ? deps.dialog.showSaveDialog(win, options) : deps.dialog.showSaveDialog(options));

  return (sender, win) => ({
    async chooseGraphToOpen() {
      const result = await open(win, { title: 'Open graph', defaultPath: graphsDir(), filters: graphFilters(deps.platform), properties: ['openFile'] });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    async chooseGraphSavePath(suggestedName: string) {
      const result = await save(win, {
        title: 'Save graph',
        defaultPath: join(graphsDir(), suggestedFileName(suggestedName)),
        filters: graphFilters(deps.platform),
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      });
      return result.canceled || !result.filePath ? null : withGraphSuffix(result.filePath);
    },
    async pickPath(options: PickPathOptions) {
      const result = await open(win, pickPathDialogOptions(options));
      const picked = result.canceled ? null : (result.filePaths[0] ?? null);
      if (picked) deps.onPicked?.(picked);
      return picked;
    },
    async revealPath(path: string) {
      // Only show an existing, absolute location; a relative path would resolve against wherever
      // the app happens to run. Never shell.openExternal/openPath: that would run or open the file.
      if (!isAbsolute(path)) throw new Error(`revealPath: ${path} is not an absolute path`);
      if (!existsSync(path)) throw new Error(`revealPath: ${path} does not exist`);
      deps.shell.showItemInFolder(path);
    },
    async listRecentFiles() {
      return deps.recent.list();
    },
    async addRecentFile(path: string) {
      await deps.recent.add(path);
    },
    async removeRecentFile(path: string) {
      await deps.recent.remove(path);
    },
    async setDocumentState(state: DocumentState) {
      if (win) deps.documents.apply(win, state);
    },
    async nativeEdit(action: NativeEditAction) {
      EDIT_ROLES[action](sender);
    },
  });
}

const door = bindDoor<ShellApi>(shellDoor);

/** Binds every shell request; returns a function that unbinds them. */
export function bindShell(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, deps: ShellDeps, isAppUrl: (url: string) => boolean): () => void {
  const shellFor = handlers(deps);
  for (const method of door.methods) {
    ipcMain.handle(SHELL_IPC_PREFIX + method, async (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      assertFromAppWindow(event, isAppUrl, method);
      return door.dispatch(shellFor(event.sender, deps.windowFor(event.sender)), method, args);
    });
  }
  return () => door.methods.forEach((m) => ipcMain.removeHandler(SHELL_IPC_PREFIX + m));
}
