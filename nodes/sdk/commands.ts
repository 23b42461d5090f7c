/**
 * The editor's commands, each declared once: its label, its keyboard shortcuts and how they behave.
 * The renderer's keyboard shortcuts, toolbar and shortcut sheet read it, and so does the desktop app's
 * menu (src-main/app/menu.ts), which sends the command's id to the editor. When a command is enabled
 * depends on the editor's state, so the renderer decides that (src-renderer/src/commands/).
 * Dependency-free: the Electron main process and the renderer both import it.
 *
 * Keys are written 'Mod+Shift+S': Mod is Ctrl (Cmd on macOS); the last part is the key as
 * KeyboardEvent.key names it, case aside ('S', 'Enter', 'Delete', 'Escape', '?').
 */

export interface CommandSpec {
  /** As the desktop menu shows it; toolbar tooltips use it in sentence case, without the ellipsis. */
  label: string;
  /** Its shortcuts, shown on the shortcut sheet joined by " / ". */
  keys?: readonly string[];
  /** Shortcuts that work too, shown in parentheses after the others. */
  alsoKeys?: readonly string[];
  /** The key the desktop menu shows, where it differs by platform (macOS's and the others' conventions). */
  menuKey?: { mac: string; other: string };
  /** The shortcut works even while typing in a field or with a dialog open. */
  global?: true;
  /** The shortcut leaves the key's default action alone. */
  keepDefault?: true;
  /** Acts on the graph: the desktop menu's item does nothing while a dialog is open. */
  editsGraph?: true;
}

export const COMMANDS = {
  new: { label: 'New', keys: ['Mod+N'] },
  open: { label: 'Open…', keys: ['Mod+O'], global: true },
  templates: { label: 'Templates…' },
  save: { label: 'Save', keys: ['Mod+S'], global: true },
  'save-as': { label: 'Save As…', keys: ['Mod+Shift+S'], global: true },
  'close-viewing': { label: 'Back to Editor' },
  undo: { label: 'Undo', keys: ['Mod+Z'], editsGraph: true },
  redo: { label: 'Redo', keys: ['Mod+Shift+Z'], alsoKeys: ['Mod+Y'], menuKey: { mac: 'Mod+Shift+Z', other: 'Mod+Y' }, editsGraph: true },
  cut: { label: 'Cut', keys: ['Mod+X'], editsGraph: true },
  copy: { label: 'Copy', keys: ['Mod+C'], editsGraph: true },
  paste: { label: 'Paste', keys: ['Mod+V'], editsGraph: true },
  duplicate: { label: 'Duplicate', keys: ['Mod+D'], editsGraph: true },
  // Delete/Backspace must keep deleting characters in fields: the menu shows no key for it.
  delete: { label: 'Delete', keys: ['Delete', 'Backspace'], editsGraph: true },
  'select-all': { label: 'Select All', keys: ['Mod+A'], editsGraph: true },
  'clear-selection': { label: 'Clear Selection', keys: ['Escape'], keepDefault: true },
  fit: { label: 'Fit View', keys: ['F'] },
  tidy: { label: 'Tidy Layout', keys: ['L'], editsGraph: true },
  history: { label: 'History' },
  playground: { label: 'Playground' },
  shortcuts: { label: 'Keyboard Shortcuts', keys: ['?'], keepDefault: true },
  run: { label: 'Run', keys: ['Mod+Enter'], global: true },
  pause: { label: 'Pause' },
  resume: { label: 'Resume' },
  cancel: { label: 'Cancel' },
} as const satisfies Record<string, CommandSpec>;

export type CommandId = keyof typeof COMMANDS;

export function command(id: CommandId): CommandSpec {
  return COMMANDS[id];
}

/** The keyboard shortcuts sheet: rows of commands (their keys come from above) or of mouse gestures. */
export const SHORTCUT_SHEET: ReadonlyArray<{ commands: readonly CommandId[]; what: string } | { gesture: string; what: string }> = [
  { commands: ['run'], what: 'Run the pipeline' },
  { commands: ['save', 'save-as'], what: 'Save / Save as' },
  { commands: ['open', 'new'], what: 'Open / New' },
  { commands: ['undo', 'redo'], what: 'Undo / Redo' },
  { commands: ['copy', 'cut', 'paste'], what: 'Copy / Cut / Paste (also between windows)' },
  { commands: ['duplicate'], what: 'Duplicate the selection' },
  { commands: ['select-all'], what: 'Select everything' },
  { commands: ['delete'], what: 'Delete the selection' },
  { gesture: 'Shift+drag, Shift/Ctrl+click', what: 'Select several' },
  { commands: ['fit'], what: 'Fit the graph in view' },
  { commands: ['tidy'], what: 'Tidy layout' },
  { commands: ['clear-selection'], what: 'Clear the selection' },
  { commands: ['shortcuts'], what: 'This list' },
];

/** A key as the sheet and tooltips show it: 'Mod+Shift+S' -> 'Ctrl+Shift+S', 'Escape' -> 'Esc'. */
export function keyLabel(key: string): string {
  return key.replace(/^Mod\+/, 'Ctrl+').replace(/^Escape$/, 'Esc');
}

/** A command's keys as the shortcut sheet shows them: 'Ctrl+Shift+Z (Ctrl+Y)'. */
export function keysLabel(id: CommandId): string {
  const c = command(id);
  const main = (c.keys ?? []).map(keyLabel).join(' / ');
  return c.alsoKeys?.length ? `${main} (${c.alsoKeys.map(keyLabel).join(', ')})` : main;
}

/** A toolbar button's tooltip: 'Save as (Ctrl+Shift+S)'. */
export function commandTooltip(id: CommandId): string {
  const c = command(id);
  const [first, ...rest] = c.label.replace(/…$/, '').split(' ');
  const name = [first, ...rest.map((w) => w.toLowerCase())].join(' ');
  return c.keys?.[0] ? `${name} (${keyLabel(c.keys[0])})` : name;
}

/**
 * The accelerator the desktop menu shows for a command, in Electron's notation, or none: keys with
 * Mod become CmdOrCtrl accelerators; a bare letter is marked `bare` (the renderer owns it, so the
 * menu only shows it); other keys (Delete, Escape, ?) are not shown.
 */
export function menuAccelerator(id: CommandId, mac: boolean): { accelerator: string; bare: boolean } | null {
  const c = command(id);
  const key = c.menuKey ? (mac ? c.menuKey.mac : c.menuKey.other) : c.keys?.[0];
  if (!key) return null;
  if (key.startsWith('Mod+')) return { accelerator: key.replace(/^Mod\+/, 'CmdOrCtrl+'), bare: false };
  if (/^[A-Z]$/.test(key)) return { accelerator: key, bare: true };
  return null;
}
