import type { PortType } from './ports.ts';
import type { PortValues } from './port-values.ts';
import type { ParamSpec, ParamValue } from './params.ts';
import type { ModelConfig } from './port-values.ts';
import type { DevicePreference } from './device.ts';

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
  /** The device this node is asked to run on (Auto/GPU/CPU, and which GPU); tensor code reads it through nodes/lib/backend. */
  device?: import('./device.ts').DeviceRequest;
}

type Ports = Record<string, PortSpec>;

/** What a node's run() receives: required inputs always, optional ones when connected. */
export type InputValues<I extends Ports> = {
  [K in keyof I as I[K]['optional'] extends true ? never : K]: PortValues[I[K]['type']];
} & {
  [K in keyof I as I[K]['optional'] extends true ? K : never]?: PortValues[I[K]['type']];
};

/** What a node's run() returns: a value for every declared output. */
export type OutputValues<O extends Ports> = { [K in keyof O]: PortValues[O[K]['type']] };

export interface NodeResult<O extends Ports = Ports> {
  outputs: OutputValues<O>;
  /** Final figures shown in run history and compared on replay. */
  metrics?: Record<string, number>;
  /** Backend that computed this result (tensorflow, wasm, cpu), when tensors were involved. */
  backend?: string;
  /**
   * Set by a node that decides the run should not go on past it (a gate whose condition failed):
   * the node itself succeeded, and every node downstream of it is skipped with this reason.
   */
  closed?: { reason: string };
}

/** What validation knows of the node feeding an input. Absent fields are unknown: no check. */
export interface UpstreamFacts {
  /** The metrics it reports, when its spec says (metricNames); absent when only known at run time. */
  metricNames?: readonly string[];
  /**
   * The shape of the model a Model output carries (family, encoder or decoder, context, layers,
   * width, heads, vocabulary, tied head), as params, a folder's config.json or the Hub cache tell.
   * `vocabSize` may be a lower bound when the tokenizer's size is only known at run time.
   */
  model?: ModelConfig;
  /** For a Dataset or Preferences output: whether it will have a validation split. */
  validationSplit?: boolean;
  /** For a Dataset output: whether it will have a test split. */
  testSplit?: boolean;
  /** For a Tokenizer output: its vocabulary size, when params tell. */
  vocabSize?: number;
}

export interface NodeProblem {
  param?: string;
  port?: string;
  message: string;
  /** A warning is shown in the editor and by `weft validate` but does not keep the graph from running. */
  severity?: 'warning';
}

/** What a device lets training use, as validation can tell before the run. */
export interface ValidationMemory {
  totalBytes?: number;
  maxBufferBytes?: number;
  describe(kind: 'total' | 'buffer'): string;
  /**
   * Set when the device is only the likely one (Auto, on a machine that may have a GPU Weft has not
   * looked at): a configuration over this budget is then a warning, not an error.
   */
  likely?: string;
}

/** What the host tells validation about the machine and the files a graph reads. All optional: pure checks get none. */
export interface ValidationEnv {
  /** The absolute path a file or folder param's value names, as the run would read it; undefined when it may not be read. */
  resolvePath?(value: string): string | undefined;
  /** The workspace folder (its model cache). */
  workspace?: string;
  /** The memory training may plan to use on a device; undefined: not known (no check). */
  trainingMemory?(device: DevicePreference): ValidationMemory | undefined;
}

/** What validateWithInputs gets besides params and upstream facts. */
export interface ValidationContext {
  /** The budget of the device this node will train on, when known. */
  memory?: ValidationMemory;
}

type ParamTypeOf<S extends ParamSpec> = S['kind'] extends 'number' | 'integer'
  ? number
  : S['kind'] extends 'boolean'
    ? boolean
    : S extends { kind: 'enum'; options: readonly (infer O)[] }
      ? O
      : string;

export type ParamsOf<S extends Record<string, ParamSpec>> = { [K in keyof S]: ParamTypeOf<S[K]> };

/** A node type's light half: everything the host and the editor need, no code that computes. */
export interface NodeTypeSpec<S extends Record<string, ParamSpec> = Record<string, ParamSpec>, I extends Ports = Ports, O extends Ports = Ports> {
  type: string;
  /** Bump when params change meaning; migrate() upgrades params saved by older versions. */
  version: number;
  category: string;
  label: string;
  description: string;
  inputs: I;
  outputs: O;
  params: S;
  /**
   * Bump when what the node writes changes but its params keep their meaning: results cached
   * before are then not reused (the graph's node version stays, so no migration is needed).
   */
  outputRevision?: number;
  /** Heavy nodes (training, generation) share a smaller concurrency budget. */
  heavy?: boolean;
  /**
   * Never answered from the cache: the node's result is a live thing (a running endpoint) that may
   * have gone since, so each run executes it (it may still reuse what it finds running).
   */
  uncached?: boolean;
  /** Cross-field checks, run before any node executes. */
  validate?(params: ParamsOf<S>, connectedInputs: readonly string[]): NodeProblem[];
  /**
   * The metric names this node's Metrics output carries, when params tell them; lets a gate's
   * metric name be checked before the run. Absent: only known at run time.
   */
  metricNames?(params: ParamsOf<S>): readonly string[];
  /**
   * Checks that need what is known of the connected inputs before the run: for each connected port,
   * the facts of the output feeding it (metric names, a model's shape, a validation split) and the
   * memory of the device it will run on. Runs in validation, after `validate`.
   */
  validateWithInputs?(params: ParamsOf<S>, inputs: Readonly<Record<string, UpstreamFacts>>, context: ValidationContext): NodeProblem[];
  /**
   * What validation can know of this node's outputs (a model's shape, whether a dataset has a
   * validation split), from params and the facts of its inputs, for the nodes they feed to check
   * against. A node that passes a model along returns its input's shape, changed as it changes it.
   * Runs in the host with `env` (it may read small files, synchronously); in pure checks env is empty.
   */
  outputFacts?(params: ParamsOf<S>, inputs: Readonly<Record<string, UpstreamFacts>>, env: ValidationEnv): Partial<Record<keyof O & string, UpstreamFacts>>;
  /** Upgrades params saved by an older version of this node type. */
  migrate?(params: Record<string, unknown>, fromVersion: number): Record<string, unknown>;
  /**
   * Checks what the files and folders named by params contain (e.g. a model folder's config.json),
   * at validation, once their paths are resolved and known to exist. Runs in the host: read only
   * small files, synchronously.
   */
  checkFiles?(params: ParamsOf<S>): NodeProblem[];
  /**
   * Replay runs the recorded graph again. A node whose params name something that can move (a
   * branch of a model repository) returns here the params that pin what the recorded run used,
   * read from that run's outputs of this node (absent when the node did not finish); undefined
   * keeps the params as recorded.
   */
  pinForReplay?(params: Readonly<Record<string, unknown>>, outputs: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined;
}

/** A node type's heavy half, the default export of its run module. */
export type RunFunction<S extends Record<string, ParamSpec> = Record<string, ParamSpec>, I extends Ports = Ports, O extends Ports = Ports> = (
  inputs: InputValues<I>,
  params: ParamsOf<S>,
  ctx: NodeContext,
) => Promise<NodeResult<O>>;

/** The run function a spec calls for: `export default (async (inputs, params, ctx) => …) satisfies RunOf<typeof spec>`. */
export type RunOf<T> = T extends NodeTypeSpec<infer S, infer I, infer O> ? RunFunction<S, I, O> : never;

export interface NodeDefinition<S extends Record<string, ParamSpec> = Record<string, ParamSpec>, I extends Ports = Ports, O extends Ports = Ports>
  extends NodeTypeSpec<S, I, O> {
  /**
   * Loads the run function. Called only in a worker process, so the host and the editor never
   * load what it imports (tfjs, tokenizers): a node's index.ts is its spec, its run.ts the rest.
   */
  loadRun(): Promise<{ default: RunFunction<S, I, O> }>;
}

/** Untyped view used by the engine and registries. */
export type AnyNodeDefinition = NodeDefinition<Record<string, ParamSpec>, Ports, Ports>;

/** Declares a node type's spec; its inputs, outputs and params type the run module. */
export function nodeSpec<const S extends Record<string, ParamSpec>, const I extends Ports, const O extends Ports>(spec: NodeTypeSpec<S, I, O>): NodeTypeSpec<S, I, O> {
  return spec;
}

/** A node type: its spec and the lazy import of its run module (`() => import('./run.ts')`). */
export function defineNode<S extends Record<string, ParamSpec>, I extends Ports, O extends Ports>(
  spec: NodeTypeSpec<S, I, O>,
  loadRun: () => Promise<{ default: RunFunction<S, I, O> }>,
): AnyNodeDefinition {
  return { ...spec, loadRun } as unknown as AnyNodeDefinition;
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
