import type { ShellApi } from '../../../nodes/sdk/doors/shell-api.ts';

declare global {
  interface Window {
    /** The desktop app's native shell (menus, dialogs, recent files); absent in the browser. */
    weftShell?: ShellApi;
  }
}

/** The native shell in the desktop app; null in the browser (weft serve), which has none. */
export function desktopShell(): ShellApi | null {
  return (typeof window !== 'undefined' && window.weftShell) || null;
}
