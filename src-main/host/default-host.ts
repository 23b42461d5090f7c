import { fileURLToPath } from 'node:url';
import { nodeRegistry } from '../../nodes/index.ts';
import { WeftHost, type HostOptions } from './weft-host.ts';

/** Module path workers import to find the built-in node types. */
export const DEFAULT_REGISTRY_MODULE = fileURLToPath(new URL('../../nodes/index.ts', import.meta.url));

/** The host with Weft's own node types, as every front end (CLI, app, web server) uses it. */
export function openDefaultHost(workspace: string, options: Partial<HostOptions> = {}): Promise<WeftHost> {
  return WeftHost.open({ workspace, registry: nodeRegistry, registryModule: DEFAULT_REGISTRY_MODULE, ...options });
}
