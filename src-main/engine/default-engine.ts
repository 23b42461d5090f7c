import { fileURLToPath } from 'node:url';
import { nodeRegistry } from '../../nodes/index.ts';
import { Engine, type EngineOptions } from './engine.ts';

/** Module path workers import to find the built-in node types. */
export const DEFAULT_REGISTRY_MODULE = fileURLToPath(new URL('../../nodes/index.ts', import.meta.url));

/** The engine with Weft's own node types, as every host (CLI, app, web server) uses it. */
export function openDefaultEngine(workspace: string, options: Partial<EngineOptions> = {}): Promise<Engine> {
  return Engine.open({ workspace, registry: nodeRegistry, registryModule: DEFAULT_REGISTRY_MODULE, ...options });
}
