import { realpathSync } from 'node:fs';
import { isAbsolute, resolve, sep } from 'node:path';

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function inside(path: string, root: string): boolean {
  const r = real(root);
  return path === r || path.startsWith(r.endsWith(sep) ? r : r + sep);
}

/**
 * Resolves a file param from a graph. Relative paths are relative to the graph's folder. The
 * result must stay inside an allowed root (the workspace, the graph's folder, folders the user
 * picked), after following symlinks, so a shared graph cannot read ~/.ssh.
 */
export function resolveGraphPath(value: string, graphDir: string, allowedRoots: readonly string[]): { path: string } | { error: string } {
  const absolute = isAbsolute(value) ? resolve(value) : resolve(graphDir, value);
  const target = real(absolute);
  if (allowedRoots.some((root) => inside(target, root))) return { path: absolute };
  return { error: `"${value}" is outside the folders this graph may read (${allowedRoots.join(', ')})` };
}
