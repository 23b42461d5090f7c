/** Entry of a worker in the Electron app: a utility process with the node registry bundled in. */
import { loadPlayground, nodeRegistry } from '../../nodes/index.ts';
import type { HostToWorker } from '../engine/worker/protocol.ts';
import { serveJobs } from '../engine/worker/worker-runtime.ts';

const port = process.parentPort;
serveJobs(
  {
    send: (msg) => port.postMessage(msg),
    onMessage: (listener) => port.on('message', (e: { data: unknown }) => listener(e.data as HostToWorker)),
    // A utility process dies with its parent; there is no disconnect to watch.
    onDisconnect: () => undefined,
  },
  async () => ({ nodeRegistry, loadPlayground }),
);
