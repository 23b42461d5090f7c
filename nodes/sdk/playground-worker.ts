/**
 * What a worker process needs to serve the playground, as the engine sees it: the request it
 * receives and the generator the node registry module lends it. The engine knows these types only,
 * never the generation code (nodes/lib/playground), which the registry module loads on demand.
 */
import type { ChatMessage, GenerationStats, PlaygroundMode, SamplingSettings } from './playground.ts';

export interface SessionRequest {
  modelDir: string;
  mode: PlaygroundMode;
  prompt?: string;
  messages?: ChatMessage[];
  settings: SamplingSettings;
  /** Auto, GPU or CPU for this request (default Auto); the worker reloads the model when it changes. */
  device?: import('./device.ts').DevicePreference;
}

/** Keeps the last model loaded between requests; one generation at a time. */
export interface PlaygroundGenerator {
  generate(request: SessionRequest, onText: (delta: string) => void, signal: AbortSignal): Promise<GenerationStats>;
}

/** What a registry module (nodes/index.ts) exports for worker processes. */
export interface WorkerRegistryModule {
  nodeRegistry: readonly import('./define-node.ts').AnyNodeDefinition[];
  /** Loads the playground's generator; imported only by a worker that serves the playground. */
  loadPlayground?(): Promise<PlaygroundGenerator>;
  /** Tells the worker's tensor code which device the next job asks for (cheap: loads no tfjs). */
  setDeviceRequest?(request: import('./device.ts').DeviceRequest): void;
  /** The device the last job computed on; null when it used no tensors. */
  deviceUsed?(): import('./device.ts').DeviceInfo | null;
  /** A GPU loss or out-of-memory seen during the job, in words; read once. */
  takeDeviceFailure?(): string | null;
  /** Looks at this machine's GPUs, TensorFlow and wasm (loaded on demand). */
  probeHardware?(vulkanLoader: import('./device.ts').HardwareReport['vulkanLoader']): Promise<import('./device.ts').HardwareReport>;
}
