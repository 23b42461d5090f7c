/**
 * The application menu. The template is a pure function of a context, so it is tested without
 * Electron; installMenu is the only part that touches Electron.
 *
 * Edit menu: Undo, Copy, Paste… are commands sent to the renderer, not native roles, because in the
 * editor they act on the graph (nodes and edges), which the native roles know nothing about. When
 * focus is in a text field the renderer decides: it hands the action back through the shell's
 * nativeEdit, and the host runs the native role on that window (see shell-ipc.ts). A native role
 * cannot be used for both at once, and the page cannot paste by itself (no clipboard permission).
 */
import { Menu, type MenuItemConstructorOptions } from 'electron';
import { command, menuAccelerator, type CommandId } from '../../nodes/sdk/commands.ts';
import type { MenuCommand } from '../../nodes/sdk/doors/shell-api.ts';

export interface MenuContext {
  platform: NodeJS.Platform;
  /** Developer tools are offered only to development builds. */
  isPackaged: boolean;
  appName: string;
  version: string;
  /** Recent graph files, newest first. */
  recentFiles: readonly string[];
  /** Delivers a command to the focused window's editor. */
  send(command: MenuCommand): void;
  clearRecent(): void;
  showAbout(): void;
}

type Item = MenuItemConstructorOptions;

/** Windows and GTK read '&' as a mnemonic marker; a path with one must show it literally. */
function menuLabel(text: string, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? text : text.replace(/&/g, '&&');
}

export function buildMenuTemplate(ctx: MenuContext): Item[] {
  const mac = ctx.platform === 'darwin';
  const send = (label: string, c: MenuCommand): Item => ({ label, click: () => ctx.send(c) });
  // An editor command, with its label and key from the command registry. A bare-letter shortcut
  // must stay typeable in text fields: the renderer already handles those keys (and skips them while
  // typing), so the menu only shows them; macOS cannot show an accelerator without registering it,
  // so there the menu leaves it out.
  const cmd = (id: CommandId): Item => {
    const key = menuAccelerator(id, mac);
    const accelerator = !key || (key.bare && mac) ? {} : key.bare ? { accelerator: key.accelerator, registerAccelerator: false } : { accelerator: key.accelerator };
    return { ...send(command(id).label, { command: id }), ...accelerator };
  };

  const recentItems: Item[] = ctx.recentFiles.length
    ? ctx.recentFiles.map((path) => send(menuLabel(path, ctx.platform), { command: 'open-recent', path }))
    : [{ label: 'No Recent Files', enabled: false }];

  const file: Item = {
    label: '&File',
    submenu: [
      cmd('new'),
      cmd('open'),
      {
        label: 'Open Recent',
        submenu: [
          ...recentItems,
          { type: 'separator' },
          { label: 'Clear Recent', enabled: ctx.recentFiles.length > 0, click: () => ctx.clearRecent() },
        ],
      },
      cmd('templates'),
      { type: 'separator' },
      cmd('save'),
      cmd('save-as'),
      { type: 'separator' },
      { label: 'Close Window', role: 'close' },
      // On macOS Quit lives in the app menu.
      ...(mac ? [] : [{ type: 'separator' } as Item, { label: 'Quit', role: 'quit' } as Item]),
    ],
  };

  const edit: Item = {
    label: '&Edit',
    submenu: [
      cmd('undo'),
      cmd('redo'),
      { type: 'separator' },
      cmd('cut'),
      cmd('copy'),
      cmd('paste'),
      cmd('duplicate'),
      // Delete/Backspace must keep deleting characters in fields; the renderer owns the key (no accelerator).
      cmd('delete'),
      { type: 'separator' },
      cmd('select-all'),
    ],
  };

  const view: Item = {
    label: '&View',
    submenu: [
      cmd('fit'),
      cmd('tidy'),
      { type: 'separator' },
      cmd('history'),
      cmd('playground'),
      { type: 'separator' },
      { label: 'Zoom In', role: 'zoomIn' },
      { label: 'Zoom Out', role: 'zoomOut' },
      { label: 'Actual Size', role: 'resetZoom' },
      { type: 'separator' },
      { label: 'Toggle Full Screen', role: 'togglefullscreen' },
      ...(ctx.isPackaged ? [] : [{ type: 'separator' } as Item, { label: 'Toggle Developer Tools', role: 'toggleDevTools' } as Item]),
    ],
  };

  const run: Item = {
    label: '&Run',
    submenu: [
      cmd('run'),
      cmd('pause'),
      cmd('resume'),
      cmd('cancel'),
    ],
  };

  const window: Item = { label: '&Window', role: 'windowMenu' };

  const help: Item = {
    label: '&Help',
    role: 'help',
    submenu: [
      cmd('shortcuts'),
      { type: 'separator' },
      { label: `About ${ctx.appName} ${ctx.version}`, click: () => ctx.showAbout() },
    ],
  };

  const appMenu: Item = {
    label: ctx.appName,
    submenu: [
      { label: `About ${ctx.appName}`, click: () => ctx.showAbout() },
      { type: 'separator' },
      { role: 'services' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };

  return [...(mac ? [appMenu] : []), file, edit, view, run, window, help];
}

/** The About box's text: the version users quote in bug reports, with what it runs on. */
export function aboutDetail(version: string, versions: Partial<Record<'electron' | 'chrome' | 'node', string>>): string {
  const parts = [`Version ${version}`];
  if (versions.electron) parts.push(`Electron ${versions.electron}`);
  if (versions.chrome) parts.push(`Chromium ${versions.chrome}`);
  if (versions.node) parts.push(`Node ${versions.node}`);
  return parts.join('\n');
}

/** Sets (or replaces, e.g. when the recent list changes) the application menu. */
export function installMenu(ctx: MenuContext): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(ctx)));
}
