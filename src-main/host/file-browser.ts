/**
 * Browsing the disk for a node's file or folder param, where no native dialog exists (the browser).
 * Only below the roots (home, workspace, examples, configured roots), never into hidden entries
 * (~/.ssh, ~/.config) and never through a symlink that leads out.
 */
import { existsSync, realpathSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { FolderEntry, FolderListing } from '../../nodes/sdk/index.ts';

const MAX_ENTRIES = 2000;

export class BrowseRefusedError extends Error {
  constructor(path: string, why: string) {
    super(`refused "${path}": ${why}`);
    this.name = 'BrowseRefusedError';
  }
}

export interface BrowseRoot {
  label: string;
  path: string;
}

function real(path: string): string {
  return existsSync(path) ? realpathSync(path) : resolve(path);
}

function under(path: string, root: string): string | null {
  const rel = relative(root, path);
  if (rel === '') return '';
  return rel.startsWith('..') || isAbsolute(rel) ? null : rel;
}

export class FileBrowser {
  private readonly roots: BrowseRoot[];

  constructor(roots: BrowseRoot[]) {
    const seen = new Set<string>();
    this.roots = roots.map((r) => ({ label: r.label, path: real(r.path) })).filter((r) => !seen.has(r.path) && seen.add(r.path));
  }

  get rootList(): BrowseRoot[] {
    return this.roots;
  }

  /** The real path, if it lies below a root without passing through a hidden entry; else refused. */
  check(path: string): { path: string; root: BrowseRoot } {
    if (!isAbsolute(path)) throw new BrowseRefusedError(path, 'not an absolute path');
    const target = real(path);
    let hidden = false;
    // The innermost root wins: examples inside a hidden folder of home are reachable as Examples.
    const containing = this.roots.filter((r) => under(target, r.path) !== null).sort((a, b) => b.path.length - a.path.length);
    for (const root of containing) {
      if (under(target, root.path)!.split(sep).some((part) => part.startsWith('.'))) hidden = true;
      else return { path: target, root };
    }
    if (hidden) throw new BrowseRefusedError(path, 'hidden files and folders are not offered');
    throw new BrowseRefusedError(path, `it is outside the folders Weft browses (${this.roots.map((r) => r.label).join(', ')})`);
  }

  /**
   * A path the user may pick for a param: it exists, and it is inside a root, not a root itself:
   * "all of home" is not a pick, it would let every graph read everything there.
   */
  checkPickable(path: string): string {
    const { path: target } = this.check(path);
    if (!existsSync(target)) throw new BrowseRefusedError(path, 'it does not exist');
    const root = this.roots.find((r) => r.path === target);
    if (root) throw new BrowseRefusedError(path, `choose a file or a folder inside ${root.label}, not all of it`);
    return target;
  }

  async list(path?: string): Promise<FolderListing> {
    const { path: dir, root } = this.check(path ?? this.roots[0]!.path);
    const info = await stat(dir);
    if (!info.isDirectory()) throw new BrowseRefusedError(dir, 'not a folder');
    const names = (await readdir(dir)).filter((n) => !n.startsWith('.')).sort((a, b) => a.localeCompare(b));
    const entries: FolderEntry[] = [];
    for (const name of names.slice(0, MAX_ENTRIES)) {
      const full = join(dir, name);
      try {
        const s = await stat(full);
        // A symlink that leads outside the roots is left out rather than offered and then refused.
        this.check(full);
        entries.push({ name, path: full, kind: s.isDirectory() ? 'folder' : 'file', ...(s.isFile() ? { size: s.size } : {}), modifiedAt: s.mtime.toISOString() });
      } catch {
        // Unreadable, dangling or escaping entries are not offered.
      }
    }
    entries.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'folder' ? -1 : 1));
    return {
      path: dir,
      parent: dir === root.path ? null : dirname(dir),
      entries,
      truncated: names.length > MAX_ENTRIES,
      roots: this.roots.map((r) => ({ ...r })),
    };
  }
}

export function defaultBrowseRoots(workspace: string, extra: string[]): BrowseRoot[] {
  return [
    { label: 'Home', path: homedir() },
    { label: 'Workspace', path: workspace },
    ...extra.map((p) => ({ label: basename(p).replace(/^./, (c) => c.toUpperCase()), path: p })),
  ];
}
