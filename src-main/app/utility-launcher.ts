import { utilityProcess } from 'electron';
import { gpuBoundEnv, type WorkerLauncher } from '../engine/worker/launcher.ts';
import { watchWorkerOutput } from '../engine/worker/output-tail.ts';
import type { WorkerToHost } from '../engine/worker/protocol.ts';
import { workerEnvWithVulkan } from '../engine/worker/vulkan-env.ts';

/**
 * Workers in the app run as Electron utility processes rather than `fork` with
 * ELECTRON_RUN_AS_NODE, so the RunAsNode fuse can stay off.
 */
export function utilityLauncher(entry: string, gpuEnv: ReadonlyArray<Record<string, string>> = []): WorkerLauncher {
  // WebGPU (Dawn) finds Vulkan only through the environment its process starts with.
  const env = workerEnvWithVulkan(process.env);
  return (gpu) => {
    const child = utilityProcess.fork(entry, [], { stdio: 'pipe', serviceName: 'Weft worker', env: gpuBoundEnv(env, gpuEnv, gpu) });
    const stderrTail = watchWorkerOutput(child.stdout, child.stderr);
    return {
      get pid() {
        return child.pid;
      },
      postMessage: (msg) => child.postMessage(msg),
      onMessage: (listener) => child.on('message', (m: unknown) => listener(m as WorkerToHost)),
      onExit: (listener) => child.on('exit', (code: number) => listener({ code, signal: null })),
      stderrTail,
      kill: () => void child.kill(),
    };
  };
}
