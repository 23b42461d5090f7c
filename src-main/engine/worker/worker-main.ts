/**
 * Entry of a worker process forked by Node (CLI, web server, tests). It imports the node registry
 * module the host names, then serves jobs.
 */
import type { WorkerRegistryModule } from '../../../nodes/sdk/index.ts';
import type { HostToWorker } from './protocol.ts';
import { serveJobs } from './worker-runtime.ts';

serveJobs(
  {
    send: (msg) => process.send?.(msg),
    onMessage: (listener) => process.on('message', (m) => listener(m as HostToWorker)),
    onDisconnect: (listener) => process.on('disconnect', listener),
  },
  async (module) => {
    const mod = (await import(module)) as Partial<WorkerRegistryModule>;
    if (!Array.isArray(mod.nodeRegistry)) throw new Error(`${module} exports no nodeRegistry array`);
    return { nodeRegistry: mod.nodeRegistry, loadPlayground: mod.loadPlayground };
  },
);
