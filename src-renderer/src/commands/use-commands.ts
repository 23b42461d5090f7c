import { useEffect, useRef } from 'react';
import { command, type CommandId } from '../../../nodes/sdk/commands.ts';
import type { ShellApi } from '../../../nodes/sdk/doors/shell-api.ts';
import { isTextField } from '../shell/route-menu-command.ts';
import { useMenuCommands } from '../shell/use-menu-commands.ts';
import { commandForKey } from './keys.ts';

/** What each command does in the editor, and (where it depends on the editor's state) whether it may. */
export interface CommandTable {
  handlers: Record<CommandId, () => void>;
  /** Absent: always enabled. */
  enabled: Partial<Record<CommandId, boolean>>;
}

/**
 * Runs the editor's commands (nodes/sdk/commands.ts) from the keyboard and the desktop menu, and
 * returns the runner the toolbar uses: a disabled command does nothing, wherever it comes from.
 * Shortcuts are ignored while typing in a field or with a dialog open, except the `global` ones;
 * menu commands that edit the graph are ignored while a dialog is open.
 */
export function useCommands(table: CommandTable, options: { shell: ShellApi | null; dialogOpen: boolean; openRecent(path: string): void }): (id: CommandId) => void {
  const latest = useRef({ table, options });
  latest.current = { table, options };
  const run = useRef((id: CommandId) => {
    const { handlers, enabled } = latest.current.table;
    if (enabled[id] !== false) handlers[id]();
  }).current;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const id = commandForKey(e);
      if (!id) return;
      const c = command(id);
      if (!c.global && (isTextField(e.target as Element | null) || document.querySelector('.modal'))) return;
      // Every key handled here is claimed (preventDefault), so the desktop menu's accelerator for the
      // same command does not run it a second time.
      if (!c.keepDefault) e.preventDefault();
      run(id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [run]);

  useMenuCommands(options.shell, (c) => {
    if (c.command === 'open-recent') return latest.current.options.openRecent(c.path);
    if (command(c.command).editsGraph && (latest.current.options.dialogOpen || document.querySelector('.modal'))) return;
    run(c.command);
  });
  return run;
}
