import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeContext, Progress } from '../../sdk/index.ts';

/** A NodeContext for calling a node's run() directly in tests: temp folders, collected logs and progress. */
export function fakeContext(onProgress?: (p: Progress) => void): NodeContext & { logs: string[]; root: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'weft-node-'));
  const artifactDir = join(root, 'artifact');
  const checkpointDir = join(root, 'checkpoint');
  mkdirSync(artifactDir);
  mkdirSync(checkpointDir);
  const logs: string[] = [];
  return {
    nodeId: 'n',
    signal: new AbortController().signal,
    progress: async (p) => onProgress?.(p),
    log: { info: (m) => logs.push(`info: ${m}`), warn: (m) => logs.push(`warn: ${m}`), error: (m) => logs.push(`error: ${m}`) },
    artifactDir,
    checkpointDir,
    seed: 1,
    workspace: root,
    logs,
    root,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
