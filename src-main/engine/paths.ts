import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** `path` is `root` or below it (both already real paths: no symlinks resolved here). */
export function isWithin(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function inside(path: string, root: string): boolean {
  const r = real(root);
  return path === r || path.startsWith(r.endsWith(sep) ? r : r + sep);
}

/**
 * A folder graphs may read: the workspace, a graph's folder, a configured root, or something the
 * user picked. Below a picked folder, hidden entries stay out of reach: picking ~/data must not
 * hand a graph ~/data/.credentials.
 */
export type ReadRoot = string | { picked: string };

function allows(target: string, root: ReadRoot): boolean {
  if (typeof root === 'string') return inside(target, root);
  if (!inside(target, root.picked)) return false;
  const rest = target.slice(real(root.picked).length);
  return !rest.split(sep).some((part) => part.startsWith('.'));
}

const rootName = (root: ReadRoot) => (typeof root === 'string' ? root : root.picked);

/**
 * Resolves a file param from a graph. Relative paths are relative to the graph's folder. The
 * result must stay inside an allowed root (the workspace, the graph's folder, folders the user
 * picked), after following symlinks, so a shared graph cannot read ~/.ssh.
 */
export function resolveGraphPath(value: string, graphDir: string, allowedRoots: readonly ReadRoot[]): { path: string } | { error: string } {
  const absolute = isAbsolute(value) ? resolve(value) : resolve(graphDir, value);
  const target = real(absolute);
  if (allowedRoots.some((root) => allows(target, root))) return { path: absolute };
  const shown = allowedRoots.map(rootName);
  const more = shown.length > 6 ? `, and ${shown.length - 6} more you picked` : '';
  return { error: `"${value}" is outside the folders this graph may read (${shown.slice(0, 6).join(', ')}${more}); choose it with Browse… to allow it` };
}
