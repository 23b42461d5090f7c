import type { ShellApi } from '../../../nodes/sdk/doors/shell-api.ts';
import { addRecent, recentFiles, removeRecent } from './local-files.ts';

export interface RecentFiles {
  list(): Promise<string[]>;
  add(path: string): Promise<void>;
  remove(path: string): Promise<void>;
}

/**
 * Recent graph files: kept by the desktop app (and shown in File > Open Recent and the system's
 * recent documents), or in the browser's storage for weft serve.
 */
export function recentFilesStore(shell: ShellApi | null): RecentFiles {
  if (shell) return { list: () => shell.listRecentFiles(), add: (p) => shell.addRecentFile(p), remove: (p) => shell.removeRecentFile(p) };
  return {
    list: async () => recentFiles(),
    add: async (p) => addRecent(p),
    remove: async (p) => removeRecent(p),
  };
}
