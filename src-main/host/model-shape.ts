/**
 * The real shape of the model a Model node loads, read from its config.json before any run: a
 * folder (confined as the run's file params are) or a Hub model already in the workspace's cache.
 * Reads one small JSON file; the weights are never opened.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHfConfig } from '../../nodes/lib/hf-config.ts';
import { cachedSnapshotDir } from '../../nodes/lib/hub/repo.ts';
import { loadedModelShape, type LoadedModelShape, type ModelShapeRequest } from '../../nodes/sdk/index.ts';
import { resolveGraphPath, type ReadRoot } from '../engine/paths.ts';

/** The config.json a request names, or null when there is none to read yet (nothing chosen, not downloaded). */
function configPath(request: ModelShapeRequest, workspace: string, graphDir: string, roots: readonly ReadRoot[]): string | null {
  const p = request.params;
  if (p.source === 'folder' && typeof p.folder === 'string' && p.folder.trim()) {
    const resolved = resolveGraphPath(p.folder, graphDir, roots);
    if ('error' in resolved) throw new Error(resolved.error);
    return join(resolved.path, 'config.json');
  }
  if (p.source === 'hub' && typeof p.hubModel === 'string') {
    const dir = cachedSnapshotDir(workspace, p.hubModel, typeof p.revision === 'string' && p.revision ? p.revision : 'main');
    return dir ? join(dir, 'config.json') : null;
  }
  return null;
}

export async function describeModelSource(request: ModelShapeRequest, workspace: string, graphDir: string, roots: readonly ReadRoot[]): Promise<LoadedModelShape | null> {
  const file = configPath(request, workspace, graphDir, roots);
  if (!file || !existsSync(file)) return null;
  // Loaded on first use: the host starts without model code (test/light-host.test.ts).
  const { parameterCount } = await import('../../nodes/lib/gpt/config.ts');
  const config = fromHfConfig(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>, file);
  return loadedModelShape({ kind: 'model', dir: '', config, parameters: parameterCount(config) });
}
