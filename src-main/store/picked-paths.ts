/**
 * Files and folders the user picked for node params (native dialog or Weft's browser). Graphs may
 * read them besides the workspace and their own folder; kept in the workspace so a saved graph
 * that uses them still runs after a restart.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sweepStaleTemps, writeFileAtomicSync } from './atomic.ts';

const MAX_PICKED = 500;

export class PickedPaths {
  private readonly file: string;
  private paths: string[];

  constructor(settingsDir: string) {
    this.file = join(settingsDir, 'picked-paths.json');
    // Settings saves killed mid-way (this file, recent files, window state) left temp files here.
    sweepStaleTemps(settingsDir);
    this.paths = PickedPaths.read(this.file);
  }

  private static read(file: string): string[] {
    try {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      return Array.isArray(raw) ? raw.filter((p): p is string => typeof p === 'string') : [];
    } catch {
      // Missing or corrupt: start empty; the user can pick again.
      return [];
    }
  }

  list(): string[] {
    return this.paths.filter((p) => existsSync(p));
  }

  add(path: string): void {
    const p = resolve(path);
    if (this.paths.includes(p)) return;
    this.paths = [p, ...this.paths].slice(0, MAX_PICKED);
    writeFileAtomicSync(this.file, JSON.stringify(this.paths, null, 2) + '\n');
  }
}
