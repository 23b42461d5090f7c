/**
 * Browsing the disk for a node's file or folder param, where no native dialog exists (the browser).
 * Any folder the user can read may be listed (typed into the picker's path box, or reached by going
 * up), never hidden entries (~/.ssh, ~/.config). The roots (home, workspace, examples, configured
 * roots) are where browsing starts. Listing a folder gives graphs nothing: they read only what the
 * user then picks (allowPath), and never a whole root or the top of the disk.
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

  /**
   * The real path, unless it passes through a hidden entry (counted from the innermost root that
   * holds it, so examples inside a hidden folder of home stay reachable as Examples); `root` is that
   * root, or null for a folder outside every root.
   */
  check(path: string): { path: string; root: BrowseRoot | null } {
    const expanded = path === '~' || path.startsWith('~/') || path.startsWith('~\\') ? join(homedir(), path.slice(1)) : path;
    if (!isAbsolute(expanded)) throw new BrowseRefusedError(path, 'not a full path (start it with / or ~)');
    const target = real(expanded);
    const containing = this.roots.filter((r) => under(target, r.path) !== null).sort((a, b) => b.path.length - a.path.length);
    for (const root of containing) if (!under(target, root.path)!.split(sep).some((part) => part.startsWith('.'))) return { path: target, root };
    if (target.split(sep).some((part) => part.startsWith('.'))) throw new BrowseRefusedError(path, 'hidden files and folders are not offered');
    return { path: target, root: null };
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
    if (dirname(target) === target) throw new BrowseRefusedError(path, 'choose a file or a folder, not the whole disk');
    return target;
  }

  async list(path?: string): Promise<FolderListing> {
    const { path: dir } = this.check(path ?? this.roots[0]!.path);
    const info = await stat(dir).catch(() => {
      throw new BrowseRefusedError(path ?? dir, 'no such folder');
    });
    if (!info.isDirectory()) throw new BrowseRefusedError(dir, 'not a folder');
    const all = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
      throw new BrowseRefusedError(dir, e.code === 'EACCES' || e.code === 'EPERM' ? 'you do not have permission to read this folder' : e.message);
    });
    const names = all.filter((n) => !n.startsWith('.')).sort((a, b) => a.localeCompare(b));
    const entries: FolderEntry[] = [];
    for (const name of names.slice(0, MAX_ENTRIES)) {
      const full = join(dir, name);
      try {
        const s = await stat(full);
        // A symlink into a hidden folder is left out rather than offered and then refused.
        this.check(full);
        entries.push({ name, path: full, kind: s.isDirectory() ? 'folder' : 'file', ...(s.isFile() ? { size: s.size } : {}), modifiedAt: s.mtime.toISOString() });
      } catch {
        // Unreadable, dangling or escaping entries are not offered.
      }
    }
    entries.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'folder' ? -1 : 1));
    return {
      path: dir,
      // Up leads anywhere readable, to the top of the disk.
      parent: dirname(dir) === dir ? null : dirname(dir),
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
