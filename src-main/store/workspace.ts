import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { processAlive } from './atomic.ts';

export const WORKSPACE_ENV = 'WEFT_WORKSPACE';

/** The workspace folder: a flag wins, then $WEFT_WORKSPACE, then ~/Weft. */
export function resolveWorkspaceDir(flag?: string): string {
  return resolve(flag ?? process.env[WORKSPACE_ENV] ?? join(homedir(), 'Weft'));
}

export interface WorkspacePaths {
  root: string;
  graphs: string;
  runs: string;
  cache: string;
  checkpoints: string;
}

export function workspacePaths(root: string): WorkspacePaths {
  return {
    root,
    graphs: join(root, 'graphs'),
    runs: join(root, 'runs'),
    cache: join(root, 'cache'),
    checkpoints: join(root, 'checkpoints'),
  };
}

export function ensureWorkspace(root: string): WorkspacePaths {
  const paths = workspacePaths(root);
  for (const dir of Object.values(paths)) mkdirSync(dir, { recursive: true });
  sweepCheckpointLeftovers(paths.checkpoints);
  return paths;
}

/**
 * Half-written checkpoints (`.tmp-<pid>-…` folders, `.tmp-best-<pid>.json`, as nodes/lib/train/
 * checkpoint.ts names them) of processes killed mid-save. The trainer removes them before its next
 * save, but a node that never runs again would keep them, and a checkpoint can be gigabytes. A live
 * process's are its save in progress: left alone.
 */
function sweepCheckpointLeftovers(checkpointsDir: string): void {
  for (const signature of readdirSync(checkpointsDir)) {
    let names: string[];
    try {
      names = readdirSync(join(checkpointsDir, signature));
    } catch {
      continue;
    }
    for (const name of names) {
      const m = /^\.tmp-(?:best-)?(\d+)/.exec(name);
      if (m && Number(m[1]) !== process.pid && !processAlive(Number(m[1]))) rmSync(join(checkpointsDir, signature, name), { recursive: true, force: true });
    }
  }
}
