import type { GraphError } from './errors.ts';
import type { Graph } from './graph.ts';
import type { GenerationStats } from './playground.ts';
import type { DeviceInfo } from './device.ts';

export type NodeState = 'idle' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'skipped' | 'cached';
export type RunState = 'validating' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export const FINAL_NODE_STATES: readonly NodeState[] = ['succeeded', 'failed', 'cancelled', 'skipped', 'cached'];
export const FINAL_RUN_STATES: readonly RunState[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];

export interface NodeRecord {
  state: NodeState;
  signature?: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  /** Latest progress seen. */
  step?: number;
  total?: number;
  /** Final metrics (or the latest ones while running). */
  metrics?: Record<string, number>;
  outputs?: Record<string, unknown>;
  /** The node's artifact folder (inside the workspace cache). */
  artifactDir?: string;
  backend?: string;
  /** The device the node computed on: backend plus GPU adapter (or whether TensorFlow saw CUDA). */
  device?: DeviceInfo;
  error?: string;
  /** A gate that closed: why; the nodes downstream of it were skipped with this reason. */
  closed?: string;
  /** What the node warned about (its warn-level log lines, the first 50): a success that lost data says so here. */
  warnings?: string[];
  /** Which earlier run produced a cached result. */
  cachedFrom?: string;
}

export interface RunRecord {
  id: string;
  state: RunState;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  /** The graph exactly as run (params after --set overrides), so replay needs nothing else. */
  graph: Graph;
  /** Folder that relative file params were resolved against. */
  graphDir: string;
  graphFile?: string;
  seed: number;
  /** Tensor backends the nodes used. */
  backends: string[];
  versions: Record<string, string>;
  /** The process that owns the run while it is active, to detect crashes. */
  owner?: { pid: number; host: string };
  replayOf?: string;
  resumedAt?: string[];
  nodes: Record<string, NodeRecord>;
  error?: string;
  validationErrors?: GraphError[];
}

export type RunSummary = Pick<RunRecord, 'id' | 'state' | 'createdAt' | 'startedAt' | 'endedAt' | 'durationMs' | 'seed' | 'replayOf'> & {
  name: string;
  graphFile?: string;
  nodeCount: number;
  /** Headline metrics: the final metrics of every node, "nodeId.metric". */
  metrics: Record<string, number>;
  /** Each device the run's nodes computed on, in words ("webgpu · NVIDIA H200"), for run history. */
  devices?: string[];
};

/** The one event stream every host subscribes to. */
export type EngineEvent =
  | { type: 'run-state'; runId: string; state: RunState; at: string; error?: string }
  | { type: 'node-state'; runId: string; nodeId: string; state: NodeState; at: string; error?: string; metrics?: Record<string, number>; closed?: string; warnings?: string[]; device?: DeviceInfo }
  | {
      type: 'node-progress';
      runId: string;
      nodeId: string;
      at: string;
      step: number;
      total?: number;
      metrics?: Record<string, number>;
      /** Estimated milliseconds left, from the step rate so far. */
      etaMs?: number;
    }
  | { type: 'node-log'; runId: string; nodeId: string; at: string; level: 'info' | 'warn' | 'error'; message: string }
  | PlaygroundEvent;

/** Text streaming from a playground generation; not part of any run's log. */
export type PlaygroundEvent =
  | { type: 'generation-text'; generationId: string; at: string; text: string }
  | { type: 'generation-end'; generationId: string; at: string; stats: GenerationStats; error?: string };

export type RunEvent = Exclude<EngineEvent, PlaygroundEvent>;

/** Run events belong to a run's log; playground events to nobody's. */
export function isRunEvent(e: EngineEvent): e is RunEvent {
  return 'runId' in e;
}
