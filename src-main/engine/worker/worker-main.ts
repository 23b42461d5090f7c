/**
 * Entry of a worker process forked by Node (CLI, web server, tests). It imports the node registry
 * module the host names, then serves jobs.
 */
import { fileURLToPath } from 'node:url';
import type { WorkerRegistryModule } from '../../../nodes/sdk/index.ts';
import type { HostToWorker } from './protocol.ts';
import { serveJobs } from './worker-runtime.ts';

// The built-in registry is imported by a literal path, so that the CLI build (bin/cli-build.js)
// bundles it and a built worker needs no TypeScript loader; other registries (tests) by their path.
const BUILTIN_REGISTRY = fileURLToPath(new URL('../../../nodes/index.ts', import.meta.url));

serveJobs(
  {
    send: (msg) => process.send?.(msg),
    onMessage: (listener) => process.on('message', (m) => listener(m as HostToWorker)),
    onDisconnect: (listener) => process.on('disconnect', listener),
  },
  async (module) => {
    const mod = (module === BUILTIN_REGISTRY ? await import('../../../nodes/index.ts') : await import(module)) as Partial<WorkerRegistryModule>;
    if (!Array.isArray(mod.nodeRegistry)) throw new Error(`${module} exports no nodeRegistry array`);
    return { nodeRegistry: mod.nodeRegistry, loadPlayground: mod.loadPlayground, setDeviceRequest: mod.setDeviceRequest, deviceUsed: mod.deviceUsed, takeDeviceFailure: mod.takeDeviceFailure, probeHardware: mod.probeHardware };
  },
);
