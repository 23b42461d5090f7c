import type { MenuCommand, NativeEditAction, ShellApi } from '../../../nodes/sdk/doors/shell-api.ts';

/** Edit-menu commands that mean text editing while focus is in a field. */
const FIELD_ACTIONS: Partial<Record<MenuCommand['command'], NativeEditAction | null>> = {
  undo: 'undo',
  redo: 'redo',
  cut: 'cut',
  copy: 'copy',
  paste: 'paste',
  delete: 'delete',
  'select-all': 'select-all',
  // Duplicating nodes while typing in a field would surprise; a field has no native "duplicate".
  duplicate: null,
};

/** The same test as the editor's keyboard shortcuts: keys typed here belong to the field. */
export function isTextField(el: Element | null | undefined): boolean {
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (el as HTMLElement).isContentEditable === true;
}

/**
 * Sends an Edit-menu command to the focused text field when there is one (through the host, which
 * alone can paste there), and every other command to the editor's handler.
 */
export function routeMenuCommand(command: MenuCommand, shell: Pick<ShellApi, 'nativeEdit'>, handler: (command: MenuCommand) => void, focused: Element | null | undefined): void {
  if (command.command in FIELD_ACTIONS && isTextField(focused)) {
    const action = FIELD_ACTIONS[command.command];
    if (action) void shell.nativeEdit?.(action).catch(() => undefined);
    return;
  }
  handler(command);
}
