/** What a node wrote, file by file, for the "Files" list and download links; confined to the cache. */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ArtifactFile, ArtifactFiles, RunRecord } from '../../nodes/sdk/index.ts';
import { isWithin } from '../engine/paths.ts';

const MAX_FILES = 500;
const MAX_DEPTH = 4;

function artifactDir(record: RunRecord, nodeId: string, cacheRoot: string): string {
  // Own keys only: an id such as "__proto__" is not a node.
  const node = Object.hasOwn(record.nodes, nodeId) ? record.nodes[nodeId] : undefined;
  if (!node) throw new Error(`run ${record.id} has no node "${nodeId}"`);
  if (!node.artifactDir || !existsSync(node.artifactDir)) throw new Error(`node "${nodeId}" of run ${record.id} has no files (it did not finish, or its cache entry was removed)`);
  const dir = realpathSync(node.artifactDir);
  if (!isWithin(dir, realpathSync(cacheRoot))) throw new Error(`refused: the folder of node "${nodeId}" is outside the workspace cache`);
  return dir;
}

export async function listArtifactFiles(record: RunRecord, nodeId: string, cacheRoot: string): Promise<ArtifactFiles> {
  const dir = artifactDir(record, nodeId, cacheRoot);
  const files: ArtifactFile[] = [];
  let truncated = false;
  const walk = async (folder: string, depth: number): Promise<void> => {
    for (const entry of (await readdir(folder, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (files.length >= MAX_FILES) return void (truncated = true);
      const full = join(folder, entry.name);
      if (entry.isDirectory() && depth < MAX_DEPTH) await walk(full, depth + 1);
      else if (entry.isFile()) files.push({ path: relative(dir, full).split(sep).join('/'), size: (await stat(full)).size });
    }
  };
  await walk(dir, 0);
  return { dir, files, truncated };
}

/** Resolves a download's relative path; refuses anything that leads out of the node's folder. */
export function artifactFilePath(record: RunRecord, nodeId: string, relativePath: string, cacheRoot: string): string {
  const dir = artifactDir(record, nodeId, cacheRoot);
  const parts = relativePath.split('/');
  if (!relativePath || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes('\0'))) throw new Error(`refused "${relativePath}": not a file of this node`);
  const full = join(dir, ...parts);
  if (!existsSync(full)) throw new Error(`node "${nodeId}" has no file ${relativePath}`);
  const real = realpathSync(full);
  if (!isWithin(real, dir)) throw new Error(`refused "${relativePath}": it leads outside the node's folder`);
  if (!statSync(real).isFile()) throw new Error(`refused "${relativePath}": not a file`);
  return real;
}

/** Every file of a node's folder (no cap: a model is a few large files), for a .zip download. */
export async function artifactArchiveEntries(record: RunRecord, nodeId: string, cacheRoot: string): Promise<{ dir: string; files: Array<{ path: string; full: string }> }> {
  const dir = artifactDir(record, nodeId, cacheRoot);
  const files: Array<{ path: string; full: string }> = [];
  const walk = async (folder: string, depth: number): Promise<void> => {
    for (const entry of (await readdir(folder, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(folder, entry.name);
      // Symbolic links are left out: a download never follows a link out of the node's folder.
      if (entry.isDirectory() && depth < 8) await walk(full, depth + 1);
      else if (entry.isFile()) files.push({ path: relative(dir, full).split(sep).join('/'), full });
    }
  };
  await walk(dir, 0);
  return { dir, files };
}
