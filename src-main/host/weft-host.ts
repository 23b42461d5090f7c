/**
 * The host: implements the one API the CLI, the app and the web server expose (WeftApi), on top of
 * the run engine. Runs go to the engine; everything around them (node catalogue, graph files,
 * templates, models and the playground, previews, file browsing and picks) lives here.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  catalogueOf,
  toNodeSpec,
  type AnyNodeDefinition,
  type ArtifactFiles,
  type ArtifactPreview,
  type Catalogue,
  type DataFilePreview,
  type DataFilePreviewRequest,
  type LoadedModelShape,
  type ModelShapeRequest,
  type EndpointInfo,
  type RevealedEndpointKey,
  type EngineEvent,
  type FolderListing,
  type GraphDraft,
  type GenerationRequest,
  type Graph,
  type ModelInfo,
  type NodeSpec,
  type OpenedGraph,
  type RunEvent,
  type RunRecord,
  type RunSummary,
  type StartRunRequest,
  type TemplateInfo,
  type ValidateResult,
  type WeftApi,
} from '../../nodes/sdk/index.ts';
import { resolveGraphPath, type ReadRoot } from '../engine/paths.ts';
import { RunEngine } from '../engine/run-engine.ts';
import type { RunLimits } from '../engine/run-machine.ts';
import { forkLauncher, type WorkerLauncher } from '../engine/worker/launcher.ts';
import { machineGpus } from '../../nodes/lib/gpu-inventory.ts';
import { CacheStore } from '../store/cache-store.ts';
import { openGraphFile, writeGraphFile } from '../store/graph-files.ts';
import { PickedPaths } from '../store/picked-paths.ts';
import { DraftStore } from '../store/drafts.ts';
import { RunStore } from '../store/run-store.ts';
import { ensureWorkspace, type WorkspacePaths } from '../store/workspace.ts';
import { artifactArchiveEntries, artifactFilePath, listArtifactFiles } from './artifact-files.ts';
import { previewArtifacts } from './artifact-preview.ts';
import { FileBrowser, defaultBrowseRoots, type BrowseRoot } from './file-browser.ts';
import { describeModelSource } from './model-shape.ts';
import { findModel, listModels } from './models.ts';
import { PlaygroundHost } from './playground.ts';
import { listTemplates } from './templates.ts';
import { probeHardwareInWorker } from './hardware.ts';
import { machineFacts, trainingMemoryFor, type MachineFacts } from './training-memory.ts';
import type { HardwareReport } from '../../nodes/sdk/index.ts';

export interface HostOptions {
  workspace: string;
  registry: readonly AnyNodeDefinition[];
  /** Module a worker imports to find node run() functions; must export `nodeRegistry`. */
  registryModule: string;
  launcher?: WorkerLauncher;
  limits?: Partial<RunLimits>;
  /** GPUs to spread heavy nodes over, each with its own heavy-node limit (default 1). */
  gpuCount?: number;
  /** Whether `launcher` binds a worker to the GPU index it is given (default: when Weft's own launcher has a binding). */
  gpuBound?: boolean;
  /** Folders besides the workspace and each graph's own folder that graphs may read from. */
  allowedRoots?: string[];
  /** Where Weft's own file picker may browse; home, the workspace and allowedRoots unless given. */
  browseRoots?: BrowseRoot[];
  /** What validation's memory check assumes of this machine; looked at (TensorFlow installed, a GPU) unless given. */
  machine?: MachineFacts;
}

export class WeftHost implements WeftApi {
  private readonly catalogue: Catalogue;
  private readonly paths: WorkspacePaths;
  private readonly runs: RunEngine;
  private readonly store: RunStore;
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private readonly playground: PlaygroundHost;
  private readonly picked: PickedPaths;
  private readonly launcher: WorkerLauncher;
  private readonly browser: FileBrowser;
  private readonly drafts: DraftStore;

  private constructor(private readonly options: HostOptions) {
    this.catalogue = catalogueOf(options.registry);
    this.paths = ensureWorkspace(options.workspace);
    this.store = new RunStore(this.paths.runs);
    mkdirSync(join(this.paths.root, 'settings'), { recursive: true });
    this.picked = new PickedPaths(join(this.paths.root, 'settings'));
    this.drafts = new DraftStore(join(this.paths.root, 'drafts'));
    this.browser = new FileBrowser(options.browseRoots ?? defaultBrowseRoots(this.paths.root, options.allowedRoots ?? []));
    // Several GPUs: heavy nodes are spread over them (the count and the way to bind a worker to one
    // come from the platform, nodes/lib/gpu-inventory.ts), unless the caller says otherwise.
    const gpus = options.gpuCount === undefined ? machineGpus().assignment : null;
    const launcher = options.launcher ?? forkLauncher(gpus?.env.length ? { gpuEnv: gpus.env } : {});
    this.launcher = launcher;
    this.runs = new RunEngine({
      paths: this.paths,
      catalogue: this.catalogue,
      store: this.store,
      cache: new CacheStore(this.paths.cache),
      launcher,
      registryModule: options.registryModule,
      limits: options.limits,
      gpuCount: options.gpuCount ?? gpus?.count,
      gpuBound: options.gpuBound ?? (!options.launcher && !!gpus?.env.length),
      readRoots: (graphDir) => this.readRoots(graphDir),
      emit: (event: RunEvent) => this.broadcast(event),
      trainingMemory: trainingMemoryFor(options.machine ?? machineFacts()),
    });
    this.playground = new PlaygroundHost(launcher, options.registryModule, (e) => this.broadcast(e));
  }

  /** Opens a workspace, marking runs left active by a dead process as interrupted. */
  static async open(options: HostOptions): Promise<WeftHost> {
    const host = new WeftHost(options);
    await host.runs.recoverInterrupted();
    return host;
  }

  get workspace(): string {
    return this.paths.root;
  }

  private readRoots(graphDir: string): ReadRoot[] {
    return [...new Set([this.paths.root, graphDir, ...(this.options.allowedRoots ?? [])]), ...this.picked.list().map((picked) => ({ picked }))];
  }

  private broadcast(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  async listNodeTypes(): Promise<NodeSpec[]> {
    return [...this.catalogue.values()].map(toNodeSpec);
  }

  async validateGraph(graph: unknown, graphDir = this.paths.root): Promise<ValidateResult> {
    return this.runs.validate(graph, graphDir);
  }

  async startRun(request: StartRunRequest): Promise<{ runId: string }> {
    return this.runs.start(request);
  }

  async cancelRun(runId: string): Promise<void> {
    this.runs.cancel(runId);
  }

  async pauseRun(runId: string): Promise<void> {
    this.runs.pause(runId);
  }

  async resumeRun(runId: string): Promise<void> {
    await this.runs.resume(runId);
  }

  async replayRun(runId: string): Promise<{ runId: string }> {
    return this.runs.replay(runId);
  }

  async listRuns(): Promise<RunSummary[]> {
    return this.runs.list();
  }

  async listActiveRuns(): Promise<string[]> {
    return this.runs.activeIds();
  }

  async getRun(runId: string): Promise<RunRecord> {
    return this.runs.get(runId);
  }

  async getRunEvents(runId: string): Promise<RunEvent[]> {
    return this.runs.events(runId);
  }

  /** Resolves with the final record when a run started in this host ends. */
  async waitForRun(runId: string): Promise<RunRecord> {
    return this.runs.waitFor(runId);
  }

  async previewArtifacts(runId: string, nodeId: string): Promise<ArtifactPreview> {
    return previewArtifacts(this.runs.get(runId), nodeId, { root: this.paths.cache });
  }

  async openGraph(path: string): Promise<OpenedGraph> {
    return { path: resolve(path), graph: await openGraphFile(path, this.catalogue) };
  }

  async saveGraph(path: string, graph: Graph): Promise<void> {
    await writeGraphFile(path, graph);
  }

  async describeHardware(): Promise<HardwareReport> {
    return probeHardwareInWorker(this.launcher, this.options.registryModule);
  }

  async listTemplates(): Promise<TemplateInfo[]> {
    return listTemplates();
  }

  async listModels(): Promise<ModelInfo[]> {
    return listModels(this.store, this.catalogue, this.paths.cache);
  }

  async startGeneration(request: GenerationRequest): Promise<{ generationId: string }> {
    const model = findModel(this.runs.get(request.runId), request.nodeId, this.paths.cache);
    if (request.mode === 'chat' && !request.messages?.length) throw new Error('a chat needs at least one message');
    const generationId = this.playground.start({ modelDir: model.dir, mode: request.mode, prompt: request.prompt, messages: request.messages, settings: request.settings, ...(request.device ? { device: request.device } : {}) });
    return { generationId };
  }

  async stopGeneration(generationId: string): Promise<void> {
    this.playground.stop(generationId);
  }

  async listFolder(path?: string): Promise<FolderListing> {
    return this.browser.list(path);
  }

  async allowPath(path: string): Promise<void> {
    this.picked.add(this.browser.checkPickable(path));
  }

  /** A path the user chose in a native dialog: no browse policy, the person at the machine chose it. */
  recordPickedPath(path: string): void {
    this.picked.add(path);
  }

  async listArtifactFiles(runId: string, nodeId: string): Promise<ArtifactFiles> {
    return listArtifactFiles(this.runs.get(runId), nodeId, this.paths.cache);
  }

  /** The file a download link names, confined to the node's artifact folder. */
  async artifactFile(runId: string, nodeId: string, relativePath: string): Promise<string> {
    return artifactFilePath(this.runs.get(runId), nodeId, relativePath, this.paths.cache);
  }

  async previewDataFile(request: DataFilePreviewRequest): Promise<DataFilePreview> {
    const graphDir = request.graphDir ?? this.paths.root;
    // The same confinement as a run's file params: the preview reads nothing a graph here could not.
    const resolved = resolveGraphPath(request.path, graphDir, this.readRoots(graphDir));
    if ('error' in resolved) throw new Error(resolved.error);
    // Loaded on first use: listing and validating need none of the file readers.
    const { previewDataFile } = await import('../../nodes/dataset.file/preview.ts');
    return previewDataFile(resolved.path, request.params);
  }

  async describeModel(request: ModelShapeRequest): Promise<LoadedModelShape | null> {
    const graphDir = request.graphDir ?? this.paths.root;
    return describeModelSource(request, this.paths.root, graphDir, this.readRoots(graphDir));
  }

  /** Every file of a node's folder, for a .zip download, confined as downloads are. */
  async artifactArchive(runId: string, nodeId: string): Promise<{ name: string; files: Array<{ path: string; full: string }> }> {
    const { files } = await artifactArchiveEntries(this.runs.get(runId), nodeId, this.paths.cache);
    return { name: `${nodeId}-${runId}`, files };
  }

  async listEndpoints(): Promise<EndpointInfo[]> {
    return (await import('../../nodes/lib/endpoint/registry.ts')).listEndpoints(this.paths.root);
  }

  async stopEndpoint(id: string): Promise<void> {
    if (!(await (await import('../../nodes/lib/endpoint/lifecycle.ts')).stopEndpoint(this.paths.root, id))) throw new Error(`no endpoint ${id} in this workspace`);
  }

  async revealEndpointKey(id: string): Promise<RevealedEndpointKey> {
    return (await import('../../nodes/lib/endpoint/lifecycle.ts')).revealEndpointKey(this.paths.root, id);
  }

  async putDraft(windowId: string, draft?: GraphDraft | null): Promise<void> {
    await this.drafts.put(windowId, draft);
  }

  async takeDraft(windowId: string): Promise<GraphDraft | null> {
    return this.drafts.take(windowId);
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.playground.close();
    await this.runs.close();
  }
}
