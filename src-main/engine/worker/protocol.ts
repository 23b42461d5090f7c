import type { DeviceInfo, DeviceRequest, GenerationStats, HardwareReport, Progress, SessionRequest } from '../../../nodes/sdk/index.ts';

export interface JobContext {
  nodeId: string;
  artifactDir: string;
  checkpointDir: string;
  seed: number;
  workspace: string;
  /** Auto/GPU/CPU for this node (graph setting or node override) and its GPU, by round-robin. */
  device?: DeviceRequest;
}

export type HostToWorker =
  | { t: 'init'; registryModule: string }
  | { t: 'run'; jobId: string; nodeType: string; inputs: Record<string, unknown>; params: Record<string, unknown>; ctx: JobContext; paused: boolean }
  | { t: 'cancel'; jobId: string }
  /** Playground: stream a generation; cancelled with the same 'cancel'. */
  | { t: 'generate'; jobId: string; request: SessionRequest }
  | { t: 'pause' }
  | { t: 'resume' }
  /** What this machine offers (WebGPU adapters, TensorFlow, wasm), seen from a worker's environment. */
  | { t: 'hardware'; jobId: string; vulkanLoader: HardwareReport['vulkanLoader'] };

export type WorkerToHost =
  | { t: 'ready'; pid: number }
  | { t: 'init-failed'; message: string }
  | ({ t: 'progress'; jobId: string } & Progress)
  | { t: 'log'; jobId: string; level: 'info' | 'warn' | 'error'; message: string }
  | { t: 'done'; jobId: string; outputs: Record<string, unknown>; metrics?: Record<string, number>; backend?: string; closed?: { reason: string }; device?: DeviceInfo }
  | { t: 'failed'; jobId: string; message: string; stack?: string; device?: DeviceInfo }
  | { t: 'cancelled'; jobId: string }
  | { t: 'gen-text'; jobId: string; text: string }
  | { t: 'gen-done'; jobId: string; stats: GenerationStats }
  | { t: 'hardware'; jobId: string; report: HardwareReport };

