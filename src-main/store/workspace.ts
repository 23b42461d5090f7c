import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

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
  return paths;
}
