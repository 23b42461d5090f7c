import { useEffect, useRef } from 'react';
import type { MenuCommand, ShellApi } from '../../../nodes/sdk/doors/shell-api.ts';
import { routeMenuCommand } from './route-menu-command.ts';

/**
 * Runs `handler` for each command chosen from the native menu while the component is mounted. Edit
 * commands that arrive while a text field has focus go to that field instead (see
 * route-menu-command.ts), so the handler only ever sees commands meant for the graph. The latest
 * handler is used without resubscribing on each render.
 */
export function useMenuCommands(shell: ShellApi | null, handler: (command: MenuCommand) => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    if (!shell) return;
    return shell.onMenuCommand((command) => routeMenuCommand(command, shell, (c) => latest.current(c), document.activeElement));
  }, [shell]);
}
