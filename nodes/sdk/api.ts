import { z } from 'zod';
import { API_METHODS, type ApiMethod } from './api-methods.ts';
import type { ArtifactPreview } from './artifact-preview.ts';
import type { NodeSpec } from './define-node.ts';
import type { GraphError } from './errors.ts';
import type { Graph } from './graph.ts';
import type { ArtifactFiles, FolderListing } from './files.ts';
import type { GenerationRequest, ModelInfo } from './playground.ts';
import type { EngineEvent, RunEvent, RunRecord, RunSummary } from './runs.ts';

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
  ok: boolean;
  errors: GraphError[];
}

/** A ready-made graph a new user can start from (the examples folder). */
export interface TemplateInfo {
  path: string;
  name: string;
  description?: string;
  nodeCount: number;
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
  subscribe(listener: (event: EngineEvent) => void): () => void;
}

/** Argument schemas of the API, checked on arrival by every transport. */
const runId = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/);
export const apiArgSchemas = {
  listNodeTypes: z.tuple([]),
  validateGraph: z.tuple([z.unknown(), z.string().max(4096).optional()]),
  startRun: z.tuple([
    z.strictObject({
      graph: z.unknown(),
      graphDir: z.string().max(4096).optional(),
      graphFile: z.string().max(4096).optional(),
      seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
      noCache: z.boolean().optional(),
    }),
  ]),
  cancelRun: z.tuple([runId]),
  pauseRun: z.tuple([runId]),
  resumeRun: z.tuple([runId]),
  replayRun: z.tuple([runId]),
  listRuns: z.tuple([]),
  getRun: z.tuple([runId]),
  getRunEvents: z.tuple([runId]),
  previewArtifacts: z.tuple([runId, z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)]),
  openGraph: z.tuple([z.string().min(1).max(4096)]),
  saveGraph: z.tuple([z.string().min(1).max(4096), z.unknown()]),
  listTemplates: z.tuple([]),
  listModels: z.tuple([]),
  startGeneration: z.tuple([
    z.strictObject({
      runId,
      nodeId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
      mode: z.enum(['complete', 'chat', 'classify', 'fill-mask']),
      prompt: z.string().max(200_000).optional(),
      messages: z.array(z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(200_000) })).max(500).optional(),
      settings: z.strictObject({
        maxTokens: z.number().int().min(1).max(8192),
        temperature: z.number().min(0).max(5),
        topK: z.number().int().min(0).max(1_000_000),
        topP: z.number().min(0).max(1),
        seed: z.number().int().min(0).max(2 ** 32 - 1),
        stop: z.array(z.string().min(1).max(200)).max(16).optional(),
      }),
    }),
  ]),
  stopGeneration: z.tuple([z.string().uuid()]),
  listFolder: z.tuple([z.string().min(1).max(4096).optional()]),
  allowPath: z.tuple([z.string().min(1).max(4096)]),
  listArtifactFiles: z.tuple([runId, z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)]),
} as const;

export type { ApiMethod } from './api-methods.ts';

// Every method has a schema and every schema a method: a new API method cannot skip validation.
const _schemasCoverMethods: Record<ApiMethod, z.ZodType> = apiArgSchemas;
void _schemasCoverMethods;
const _methodsCoverSchemas: Record<keyof typeof apiArgSchemas, true> = Object.fromEntries(API_METHODS.map((m) => [m, true])) as Record<ApiMethod, true>;
void _methodsCoverSchemas;
