/**
 * The Weft API: the only door between a front end (the renderer over IPC or WebSocket, the CLI) and
 * the host. Declared here once: the interface (what each method returns) and weftApiDoor (each
 * request's parameters and argument schemas). The preload, the WebSocket client, the IPC binding
 * and the web server all take the method list from weftApiDoor. No run-time imports (see door.ts).
 */
import type { ArtifactPreview, DataFilePreview } from '../artifact-preview.ts';
import type { NodeSpec } from '../define-node.ts';
import type { EndpointInfo, RevealedEndpointKey } from '../endpoints.ts';
import type { GraphError } from '../errors.ts';
import type { Graph } from '../graph.ts';
import type { ArtifactFiles, FolderListing } from '../files.ts';
import type { GraphDraft } from '../drafts.ts';
import type { GenerationRequest, ModelInfo } from '../playground.ts';
import type { EngineEvent, RunEvent, RunRecord, RunSummary } from '../runs.ts';
import type { HardwareReport } from '../device.ts';
import type { LoadedModelShape } from '../model-shape.ts';
import { requestMethods, type Door, type RequestMethod, type Zod } from './door.ts';

export interface StartRunRequest {
  graph: Graph;
  /** Folder relative file params resolve against (the graph file's folder). */
  graphDir?: string;
  graphFile?: string;
  /** Overrides the graph's seed. */
  seed?: number;
  /** Re-executes every node even when a cached result exists. */
  noCache?: boolean;
}

export interface ValidateResult {
  /** No errors (warnings never stop a run). */
  ok: boolean;
  errors: GraphError[];
  /** Worth knowing before the run, but not blocking it (a trainer that will not validate). */
  warnings?: GraphError[];
}

/** A ready-made graph a new user can start from (the examples folder). */
export interface TemplateInfo {
  path: string;
  name: string;
  description?: string;
  nodeCount: number;
}

/** A data file to preview before a run, read with a Dataset from files node's params. */
export interface DataFilePreviewRequest {
  /** The file param: absolute, or relative to graphDir. */
  path: string;
  /** The graph's folder, as for validateGraph: relative paths resolve here, and graphs may read it. */
  graphDir?: string;
  /** The node's params (layout, field mapping, CSV and .txt settings); defaults where absent. */
  params?: Record<string, string | number | boolean>;
}

/** A Model node's source params, for the shape of the model they load. */
export interface ModelShapeRequest {
  /** source, folder, hubModel, revision, as the node holds them. */
  params: Record<string, string | number | boolean>;
  /** Relative folders resolve here, and graphs may read it (as for validateGraph). */
  graphDir?: string;
}

export interface OpenedGraph {
  path: string;
  graph: Graph;
}

/**
 * The only door between a front end (CLI, renderer over IPC or WebSocket) and the host.
 * Every method is async so it can cross a process boundary unchanged.
 */
export interface WeftApi {
  listNodeTypes(): Promise<NodeSpec[]>;
  validateGraph(graph: unknown, graphDir?: string): Promise<ValidateResult>;
  startRun(request: StartRunRequest): Promise<{ runId: string }>;
  cancelRun(runId: string): Promise<void>;
  pauseRun(runId: string): Promise<void>;
  /** Resumes a paused run, or continues an interrupted one from where it stopped. */
  resumeRun(runId: string): Promise<void>;
  /** Starts a new run from a past run's graph snapshot and seed, re-executing every node. */
  replayRun(runId: string): Promise<{ runId: string }>;
  listRuns(): Promise<RunSummary[]>;
  /**
   * The runs this host is driving now (running or paused), newest first: a reopened tab, a reload or
   * a second window attaches to them, so its progress, charts, logs and controls stay live.
   */
  listActiveRuns(): Promise<string[]>;
  /** What this machine offers for training: GPUs through WebGPU, TensorFlow and CUDA, wasm, with advice. */
  describeHardware(): Promise<HardwareReport>;
  getRun(runId: string): Promise<RunRecord>;
  /** Events recorded for a run, oldest first (from its append-only log). */
  getRunEvents(runId: string): Promise<RunEvent[]>;
  /** Small excerpts of what a node of a run produced: dataset rows, model summary, tables. */
  previewArtifacts(runId: string, nodeId: string): Promise<ArtifactPreview>;
  openGraph(path: string): Promise<OpenedGraph>;
  saveGraph(path: string, graph: Graph): Promise<void>;
  /** Example graphs shipped with Weft, for the template gallery. */
  listTemplates(): Promise<TemplateInfo[]>;
  /** Every model a run produced that still exists, newest first, for the playground. */
  listModels(): Promise<ModelInfo[]>;
  /** Starts streaming text from a model; 'generation-text' and 'generation-end' events carry the result. */
  startGeneration(request: GenerationRequest): Promise<{ generationId: string }>;
  stopGeneration(generationId: string): Promise<void>;
  /** A folder's files and subfolders, for picking a node's file param where there is no native dialog. */
  listFolder(path?: string): Promise<FolderListing>;
  /** Records a file or folder the user picked, so graphs may read it from now on. */
  allowPath(path: string): Promise<void>;
  /** The files a node of a run wrote (its artifact folder), with sizes. */
  listArtifactFiles(runId: string, nodeId: string): Promise<ArtifactFiles>;
  /**
   * The first records of a data file as Dataset from files would read them (layout recognised, fields
   * found, problems with file:line), before any run. Only files a graph in graphDir may read.
   */
  previewDataFile(request: DataFilePreviewRequest): Promise<DataFilePreview>;
  /**
   * The real shape (layers, width, heads, context, vocabulary, parameters) of the model a Model node
   * loads, from its config.json: a folder a graph in graphDir may read, or a Hub model already
   * downloaded. null while there is nothing to read (no folder chosen, not downloaded yet).
   */
  describeModel(request: ModelShapeRequest): Promise<LoadedModelShape | null>;
  /** The workspace's OpenAI-compatible endpoints (deploy node, `weft deploy`), each one's status asked of it. */
  listEndpoints(): Promise<EndpointInfo[]>;
  /** Stops an endpoint and removes it from the workspace. */
  stopEndpoint(id: string): Promise<void>;
  /** An endpoint's key with ready-to-paste calls, once; afterwards it stays only in its file. */
  revealEndpointKey(id: string): Promise<RevealedEndpointKey>;
  /**
   * Keeps a window's unsaved draft in the workspace: a draft replaces the last, null removes it (the
   * work was saved or discarded), none refreshes the window's heartbeat (every few seconds).
   */
  putDraft(windowId: string, draft?: GraphDraft | null): Promise<void>;
  /** The window's own draft, or else the newest draft of a window that is gone (closed, crashed, an earlier launch), which it adopts. */
  takeDraft(windowId: string): Promise<GraphDraft | null>;
  subscribe(listener: (event: EngineEvent) => void): () => void;
}

/** Argument schemas, checked on arrival by every transport (bindDoor). */
const runId = (z: Zod) => z.string().regex(/^[A-Za-z0-9_-]{1,80}$/);
const nodeId = (z: Zod) => z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const filePath = (z: Zod) => z.string().min(1).max(4096);
const endpointId = (z: Zod) => z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);
const seed = (z: Zod) => z.number().int().min(0).max(2 ** 32 - 1);

/**
 * Every request of WeftApi with its parameters, in order. Adding a method to the API means adding
 * it to the interface and here; the compiler refuses one without the other.
 */
export const weftApiDoor = {
  listNodeTypes: () => ({}),
  validateGraph: (z) => ({ graph: z.unknown(), graphDir: z.string().max(4096).optional() }),
  startRun: (z) => ({
    request: z.strictObject({
      graph: z.unknown(),
      graphDir: z.string().max(4096).optional(),
      graphFile: z.string().max(4096).optional(),
      seed: seed(z).optional(),
      noCache: z.boolean().optional(),
    }),
  }),
  cancelRun: (z) => ({ runId: runId(z) }),
  pauseRun: (z) => ({ runId: runId(z) }),
  resumeRun: (z) => ({ runId: runId(z) }),
  replayRun: (z) => ({ runId: runId(z) }),
  listRuns: () => ({}),
  listActiveRuns: () => ({}),
  describeHardware: () => ({}),
  getRun: (z) => ({ runId: runId(z) }),
  getRunEvents: (z) => ({ runId: runId(z) }),
  previewArtifacts: (z) => ({ runId: runId(z), nodeId: nodeId(z) }),
  openGraph: (z) => ({ path: filePath(z) }),
  saveGraph: (z) => ({ path: filePath(z), graph: z.unknown() }),
  listTemplates: () => ({}),
  listModels: () => ({}),
  startGeneration: (z) => ({
    request: z.strictObject({
      runId: runId(z),
      nodeId: nodeId(z),
      mode: z.enum(['complete', 'chat', 'classify', 'fill-mask']),
      prompt: z.string().max(200_000).optional(),
      messages: z
        .array(z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(200_000) }))
        .max(500)
        .optional(),
      settings: z.strictObject({
        maxTokens: z.number().int().min(1).max(8192),
        temperature: z.number().min(0).max(5),
        topK: z.number().int().min(0).max(1_000_000),
        topP: z.number().min(0).max(1),
        seed: seed(z),
        stop: z.array(z.string().min(1).max(200)).max(16).optional(),
      }),
      device: z.enum(['auto', 'gpu', 'cpu']).optional(),
    }),
  }),
  stopGeneration: (z) => ({ generationId: z.string().uuid() }),
  listFolder: (z) => ({ path: filePath(z).optional() }),
  allowPath: (z) => ({ path: filePath(z) }),
  listArtifactFiles: (z) => ({ runId: runId(z), nodeId: nodeId(z) }),
  previewDataFile: (z) => ({
    request: z.strictObject({
      path: filePath(z),
      graphDir: z.string().max(4096).optional(),
      params: z.record(z.string().max(64), z.union([z.string().max(20_000), z.number(), z.boolean()])).optional(),
    }),
  }),
  describeModel: (z) => ({
    request: z.strictObject({
      params: z.record(z.string().max(64), z.union([z.string().max(4096), z.number(), z.boolean()])),
      graphDir: z.string().max(4096).optional(),
    }),
  }),
  listEndpoints: () => ({}),
  stopEndpoint: (z) => ({ id: endpointId(z) }),
  revealEndpointKey: (z) => ({ id: endpointId(z) }),
  putDraft: (z) => ({
    windowId: z.string().regex(/^[a-z0-9]{4,32}$/),
    draft: z.strictObject({ graph: z.unknown(), path: z.string().max(4096).nullable(), graphDir: z.string().max(4096).nullable(), savedAt: z.string().max(64) }).nullable().optional(),
  }),
  takeDraft: (z) => ({ windowId: z.string().regex(/^[a-z0-9]{4,32}$/) }),
} satisfies Door<WeftApi>;

export type ApiMethod = RequestMethod<WeftApi>;

/** The API's request methods by name (subscribe is an event stream, not a request). */
export const API_METHODS: readonly ApiMethod[] = requestMethods<WeftApi>(weftApiDoor);
