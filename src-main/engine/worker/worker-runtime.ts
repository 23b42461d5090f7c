/**
 * The job loop of a worker process, independent of how the process was started (Node's fork or
 * Electron's utilityProcess) and of how it finds the node registry.
 */
import { PORT_VALUE_KINDS, type AnyNodeDefinition, type NodeContext, type PlaygroundGenerator, type Progress, type WorkerRegistryModule } from '../../../nodes/sdk/index.ts';
import { PROGRESS_INTERVAL_MS, createThrottle } from '../progress.ts';
import type { HostToWorker, WorkerToHost } from './protocol.ts';
import { explainWriteError } from '../../../nodes/sdk/disk-full.ts';

export interface HostChannel {
  send(msg: WorkerToHost): void;
  onMessage(listener: (msg: HostToWorker) => void): void;
  onDisconnect(listener: () => void): void;
}

let send: (msg: WorkerToHost) => void = () => undefined;
let registry = new Map<string, AnyNodeDefinition>();
let loadPlayground: WorkerRegistryModule['loadPlayground'];
let deviceHooks: Pick<WorkerRegistryModule, 'setDeviceRequest' | 'deviceUsed' | 'takeDeviceFailure' | 'probeHardware'> = {};

/** Why a GPU failure fails the node, and what the user can do: resume picks up the last checkpoint. */
function deviceFailureMessage(failure: string): string {
  return `${failure}. The node stopped; resume the run to continue from its last checkpoint, or set the node's device to CPU (or a smaller batch size) if it happens again`;
}
let current: { jobId: string; abort: AbortController } | null = null;

// Pause gate: progress() awaits it between steps.
let paused = false;
let releasePause: (() => void) | null = null;
let pauseGate: Promise<void> = Promise.resolve();

function setPaused(value: boolean) {
  if (value === paused) return;
  paused = value;
  if (value) pauseGate = new Promise((r) => (releasePause = r));
  else releasePause?.();
}

/** Values arrive as JSON from another process: check each is the kind its port declares before run() sees it. */
function inputProblem(def: AnyNodeDefinition, inputs: Record<string, unknown>): string | null {
  for (const [port, spec] of Object.entries(def.inputs)) {
    const value = inputs[port] as { kind?: unknown } | undefined;
    if (value === undefined || value === null) {
      if (!spec.optional) return `input "${port}" of ${def.type} has no value`;
      continue;
    }
    const kind = PORT_VALUE_KINDS[spec.type];
    if (typeof value !== 'object' || value.kind !== kind) return `input "${port}" of ${def.type} is not a ${spec.type} (${kind}) value`;
  }
  return null;
}

function abortError(): Error {
  const err = new Error('cancelled');
  err.name = 'AbortError';
  return err;
}

async function runJob(msg: Extract<HostToWorker, { t: 'run' }>) {
  // The host says whether the run is paused as the job starts: a pause sent while this worker was
  // still starting up, or left over from an earlier job, must neither be lost nor leak in.
  setPaused(msg.paused);
  const abort = new AbortController();
  current = { jobId: msg.jobId, abort };
  const def = registry.get(msg.nodeType);
  if (!def) {
    send({ t: 'failed', jobId: msg.jobId, message: `this worker has no node type "${msg.nodeType}"` });
    current = null;
    return;
  }
  deviceHooks.setDeviceRequest?.(msg.ctx.device ?? { preference: 'auto' });
  const throttle = createThrottle<Progress>(PROGRESS_INTERVAL_MS, (p) => send({ t: 'progress', jobId: msg.jobId, ...p }));
  const log = (level: 'info' | 'warn' | 'error') => (message: string) => send({ t: 'log', jobId: msg.jobId, level, message: String(message) });
  const ctx: NodeContext = {
    ...msg.ctx,
    signal: abort.signal,
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    async progress(update) {
      throttle.push(update, update.total !== undefined && update.step >= update.total);
      // A training step computes without yielding, and awaiting its results resolves as microtasks:
      // without a turn of the event loop here, a cancel or pause message, or the host's disconnect,
      // would wait for the whole loop to end. setImmediate lets pending I/O in first.
      await new Promise<void>((r) => setImmediate(r));
      if (paused) {
        throttle.flush();
        await Promise.race([pauseGate, new Promise((r) => abort.signal.addEventListener('abort', r, { once: true }))]);
      }
      if (abort.signal.aborted) throw abortError();
      // A lost GPU (or one out of memory) computes nothing valid: stop at this step, checkpoints intact.
      const failure = deviceHooks.takeDeviceFailure?.();
      if (failure) throw new Error(deviceFailureMessage(failure));
    },
  };
  try {
    const problem = inputProblem(def, msg.inputs);
    if (problem) throw new Error(problem);
    const { default: run } = await def.loadRun();
    const result = await run(msg.inputs as never, msg.params as never, ctx);
    throttle.flush();
    const device = deviceHooks.deviceUsed?.() ?? undefined;
    const failure = deviceHooks.takeDeviceFailure?.();
    if (abort.signal.aborted) send({ t: 'cancelled', jobId: msg.jobId });
    else if (failure) send({ t: 'failed', jobId: msg.jobId, message: deviceFailureMessage(failure), device });
    else send({ t: 'done', jobId: msg.jobId, outputs: result.outputs, metrics: result.metrics, backend: device?.backend ?? result.backend, device, ...(result.closed ? { closed: result.closed } : {}) });
  } catch (err) {
    throttle.flush();
    if (abort.signal.aborted) send({ t: 'cancelled', jobId: msg.jobId });
    else {
      // A bare ENOSPC from a node's own write names no file: say which disk (the node's folder's) is full.
      const explained = explainWriteError(err, (err as { path?: string }).path ?? msg.ctx.artifactDir);
      const e = explained instanceof Error ? explained : new Error(String(explained));
      // The error a lost device causes downstream (a failed read back) says less than the loss itself.
      const failure = deviceHooks.takeDeviceFailure?.();
      send({ t: 'failed', jobId: msg.jobId, message: failure && !e.message.includes(failure) ? deviceFailureMessage(failure) : e.message, stack: (err as Error).stack ?? e.stack, device: deviceHooks.deviceUsed?.() ?? undefined });
    }
  } finally {
    current = null;
  }
}

// The playground keeps its model loaded between requests; one generation at a time per worker.
let playground: Promise<PlaygroundGenerator> | null = null;
const generations = new Map<string, AbortController>();

async function runGeneration(msg: Extract<HostToWorker, { t: 'generate' }>) {
  const abort = new AbortController();
  generations.set(msg.jobId, abort);
  try {
    // Loaded on first use: workers that only run nodes never load the playground.
    if (!loadPlayground) throw new Error('this worker has no playground');
    playground ??= loadPlayground();
    const stats = await (await playground).generate(msg.request, (text) => send({ t: 'gen-text', jobId: msg.jobId, text }), abort.signal);
    send({ t: 'gen-done', jobId: msg.jobId, stats });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    send({ t: 'failed', jobId: msg.jobId, message: e.message, stack: e.stack });
  } finally {
    generations.delete(msg.jobId);
  }
}

/** Serves jobs from the host until it goes away. */
export function serveJobs(channel: HostChannel, loadRegistry: (module: string) => Promise<WorkerRegistryModule>): void {
  send = (msg) => channel.send(msg);
  channel.onMessage((msg) => {
    switch (msg.t) {
      case 'init':
        loadRegistry(msg.registryModule)
          .then((mod) => {
            registry = new Map(mod.nodeRegistry.map((d) => [d.type, d]));
            loadPlayground = mod.loadPlayground;
            deviceHooks = { setDeviceRequest: mod.setDeviceRequest, deviceUsed: mod.deviceUsed, takeDeviceFailure: mod.takeDeviceFailure, probeHardware: mod.probeHardware };
            send({ t: 'ready', pid: process.pid });
          })
          .catch((err: unknown) => send({ t: 'init-failed', message: err instanceof Error ? err.message : String(err) }));
        break;
      case 'run':
        void runJob(msg);
        break;
      case 'generate':
        void runGeneration(msg);
        break;
      case 'cancel':
        if (current?.jobId === msg.jobId) current.abort.abort();
        generations.get(msg.jobId)?.abort();
        break;
      case 'hardware':
        (deviceHooks.probeHardware ? deviceHooks.probeHardware(msg.vulkanLoader) : Promise.reject(new Error('this worker cannot describe the hardware')))
          .then((report) => send({ t: 'hardware', jobId: msg.jobId, report }))
          .catch((err: unknown) => send({ t: 'failed', jobId: msg.jobId, message: err instanceof Error ? err.message : String(err) }));
        break;
      case 'pause':
        setPaused(true);
        break;
      case 'resume':
        setPaused(false);
        break;
    }
  });
  // No host, no work: a killed CLI or app leaves no orphan workers.
  channel.onDisconnect(() => process.exit(0));
}
