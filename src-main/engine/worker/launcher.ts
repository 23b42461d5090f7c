import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { watchWorkerOutput } from './output-tail.ts';
import type { HostToWorker, WorkerToHost } from './protocol.ts';
import { workerEnvWithVulkan } from './vulkan-env.ts';

export interface WorkerExit {
  code: number | null;
  signal: string | null;
}

/** What the engine needs of a worker process, whichever way it was started. */
export interface WorkerProcess {
  readonly pid: number | undefined;
  postMessage(msg: HostToWorker): void;
  onMessage(listener: (msg: WorkerToHost) => void): void;
  onExit(listener: (exit: WorkerExit) => void): void;
  /** The last lines the worker wrote to stderr, to explain a crash. */
  stderrTail(): string;
  kill(): void;
}

/**
 * Starts worker processes. Node hosts fork; the Electron app injects one built on utilityProcess.
 * `gpu`: the GPU a worker is bound to for its life (its Vulkan environment shows it that GPU), when
 * the host spreads heavy nodes over several; absent, a worker for any job.
 */
export type WorkerLauncher = (gpu?: number) => WorkerProcess;

export interface ForkLauncherOptions {
  /** V8 heap limit of each worker, in MB. */
  maxOldSpaceMb?: number;
  env?: NodeJS.ProcessEnv;
  /** Per GPU index, what binds a worker to that GPU (gpu-inventory.ts's assignment); empty: no binding. */
  gpuEnv?: ReadonlyArray<Record<string, string>>;
}

/** The built worker's path, defined by the CLI build (bin/cli-build.js); not defined elsewhere. */
declare const __WEFT_BUILD_WORKER__: string | undefined;

export function forkLauncher(options: ForkLauncherOptions = {}): WorkerLauncher {
  // Resolved here, not at import, so bundles that never fork (the Electron app) do not need them.
  // The built CLI forks its own built worker; the sources fork the TypeScript worker through tsx.
  const built = typeof __WEFT_BUILD_WORKER__ === 'string' ? __WEFT_BUILD_WORKER__ : null;
  const workerEntry = built ?? fileURLToPath(new URL('./worker-main.ts', import.meta.url));
  const loaderArgs = built ? ['--enable-source-maps'] : ['--import', import.meta.resolve('tsx')];
  // Decided once, before forking: Dawn finds the Vulkan loader only through the environment a process starts with.
  const env = workerEnvWithVulkan(options.env ?? process.env);
  return (gpu) => {
    const execArgv = [...loaderArgs];
    if (options.maxOldSpaceMb) execArgv.push(`--max-old-space-size=${options.maxOldSpaceMb}`);
    const child = fork(workerEntry, [], {
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: gpuBoundEnv(env, options.gpuEnv, gpu),
    });
    const stderrTail = watchWorkerOutput(child.stdout, child.stderr);
    return {
      get pid() {
        return child.pid;
      },
      postMessage(msg) {
        if (child.connected) child.send(msg);
      },
      onMessage(listener) {
        child.on('message', (m) => listener(m as WorkerToHost));
      },
      onExit(listener) {
        child.on('exit', (code, signal) => listener({ code, signal }));
      },
      stderrTail,
      kill() {
        child.kill('SIGKILL');
      },
    };
  };
}

/** A worker's environment with its GPU binding added (unchanged without one). */
export function gpuBoundEnv(env: NodeJS.ProcessEnv, gpuEnv: ReadonlyArray<Record<string, string>> | undefined, gpu: number | undefined): NodeJS.ProcessEnv {
  const bind = gpu === undefined ? undefined : gpuEnv?.[gpu];
  return bind ? { ...env, ...bind } : env;
}
