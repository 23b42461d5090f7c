import type { PortType } from './ports.ts';
import type { ParamSpec, ParamValue } from './params.ts';

export interface PortSpec {
  type: PortType;
  label?: string;
  description?: string;
  /** An optional input may stay unconnected; outputs ignore this. */
  optional?: boolean;
}

export interface Progress {
  step: number;
  total?: number;
  /** Latest values of named metrics (loss, lr, tokens/s, …). */
  metrics?: Record<string, number>;
}

export interface NodeLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** What a node's run() gets besides its inputs and params. */
export interface NodeContext {
  nodeId: string;
  /** Aborted when the user cancels; long loops check it (or await progress, which throws once aborted). */
  signal: AbortSignal;
  /**
   * Reports progress. Await it once per step: it is where a paused run waits and where a
   * cancelled run throws, so pause and cancel take effect within one step.
   */
  progress(update: Progress): Promise<void>;
  log: NodeLogger;
  /** Folder the node writes its outputs into; it becomes the cached artifact. */
  artifactDir: string;
  /** Folder that survives an interruption of this exact node (same signature), for resumable checkpoints. */
  checkpointDir: string;
  /** Seed derived from the graph seed and the node id: stable across runs, distinct per node. */
  seed: number;
  /** Workspace root, for nodes that need shared space. */
  workspace: string;
}

export interface NodeResult {
  outputs: Record<string, unknown>;
  /** Final figures shown in run history and compared on replay. */
  metrics?: Record<string, number>;
  /** Backend that computed this result (tensorflow, wasm, cpu), when tensors were involved. */
  backend?: string;
}

export interface NodeProblem {
  param?: string;
  port?: string;
  message: string;
}

type ParamTypeOf<S extends ParamSpec> = S['kind'] extends 'number' | 'integer'
  ? number
  : S['kind'] extends 'boolean'
    ? boolean
    : S extends { kind: 'enum'; options: readonly (infer O)[] }
      ? O
      : string;

export type ParamsOf<S extends Record<string, ParamSpec>> = { [K in keyof S]: ParamTypeOf<S[K]> };

export interface NodeDefinition<S extends Record<string, ParamSpec> = Record<string, ParamSpec>> {
  type: string;
  /** Bump when params change meaning; migrate() upgrades params saved by older versions. */
  version: number;
  category: string;
  label: string;
  description: string;
  inputs: Record<string, PortSpec>;
  outputs: Record<string, PortSpec>;
  params: S;
  /**
   * Bump when what the node writes changes but its params keep their meaning: results cached
   * before are then not reused (the graph's node version stays, so no migration is needed).
   */
  outputRevision?: number;
  /** Heavy nodes (training, generation) share a smaller concurrency budget. */
  heavy?: boolean;
  /** Cross-field checks, run before any node executes. */
  validate?(params: ParamsOf<S>, connectedInputs: readonly string[]): NodeProblem[];
  /** Upgrades params saved by an older version of this node type. */
  migrate?(params: Record<string, unknown>, fromVersion: number): Record<string, unknown>;
  /** Runs in a worker process. Keep heavy imports (tfjs) inside run so the host stays light. */
  run(inputs: Record<string, unknown>, params: ParamsOf<S>, ctx: NodeContext): Promise<NodeResult>;
}

/** Untyped view used by the engine and registries. */
export type AnyNodeDefinition = NodeDefinition<Record<string, ParamSpec>>;

export function defineNode<const S extends Record<string, ParamSpec>>(def: NodeDefinition<S>): AnyNodeDefinition {
  return def as unknown as AnyNodeDefinition;
}

/** The data a renderer needs to draw a node type: everything but code. */
export interface NodeSpec {
  type: string;
  version: number;
  category: string;
  label: string;
  description: string;
  inputs: Record<string, PortSpec>;
  outputs: Record<string, PortSpec>;
  params: Record<string, ParamSpec>;
  heavy: boolean;
}

export function toNodeSpec(def: AnyNodeDefinition): NodeSpec {
  return structuredClone({
    type: def.type,
    version: def.version,
    category: def.category,
    label: def.label,
    description: def.description,
    inputs: def.inputs,
    outputs: def.outputs,
    params: def.params,
    heavy: def.heavy ?? false,
  });
}

export type { ParamValue };
