import { mkdirSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GraphInvalidError,
  catalogueOf,
  toNodeSpec,
  type AnyNodeDefinition,
  type ArtifactFiles,
  type ArtifactPreview,
  type FolderListing,
  type Catalogue,
  type EngineEvent,
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
import { CacheStore } from '../store/cache-store.ts';
import { readGraphFile, writeGraphFile } from '../store/graph-files.ts';
import { RunStore, newRunId } from '../store/run-store.ts';
import { ensureWorkspace, type WorkspacePaths } from '../store/workspace.ts';
import { previewArtifacts } from './artifact-preview.ts';
import { findModel, listModels } from './models.ts';
import { FileBrowser, defaultBrowseRoots, type BrowseRoot } from './file-browser.ts';
import { artifactFilePath, listArtifactFiles } from './artifact-files.ts';
import { PickedPaths } from '../store/picked-paths.ts';
import type { ReadRoot } from './paths.ts';
import { PlaygroundHost } from './playground.ts';
import { checkForRun, planRun } from './prepare.ts';
import { RunController } from './run-controller.ts';
import type { RunLimits } from './run-machine.ts';
import { ContentHasher } from './signature.ts';
import { forkLauncher, type WorkerLauncher } from './worker/launcher.ts';
import { WorkerPool } from './worker/pool.ts';

export interface EngineOptions {
  workspace: string;
  registry: readonly AnyNodeDefinition[];
  /** Module a worker imports to find node run() functions; must export `nodeRegistry`. */
  registryModule: string;
  launcher?: WorkerLauncher;
  limits?: Partial<RunLimits>;
  /** Folders besides the workspace and each graph's own folder that graphs may read from. */
  allowedRoots?: string[];
  /** Where Weft's own file picker may browse; home, the workspace and allowedRoots unless given. */
  browseRoots?: BrowseRoot[];
}

export class RunStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunStateError';
  }
}

/** The example graphs shipped beside the sources; also the template gallery. */
export function examplesDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../examples');
}

function readVersions(): Record<string, string> {
  const versions: Record<string, string> = { node: process.versions.node };
  const pkgPath = resolve(dirname(fileURLToPath(import.meta.url)), '../../package.json');
  try {
    versions.weft = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version;
  } catch {
    versions.weft = 'unknown';
  }
  const require = createRequire(import.meta.url);
  for (const dep of ['@tensorflow/tfjs-core', 'xstate']) {
    try {
      versions[dep] = (require(`${dep}/package.json`) as { version: string }).version;
    } catch {
      // Not installed, or it hides its package.json: nothing to record.
    }
  }
  return versions;
}

/** The engine behind every host. Implements the one API the CLI, the app and the web server expose. */
export class Engine implements WeftApi {
  private readonly catalogue: Catalogue;
  private readonly paths: WorkspacePaths;
  private readonly store: RunStore;
  private readonly cache: CacheStore;
  private readonly pool: WorkerPool;
  private readonly hasher = new ContentHasher();
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private readonly active = new Map<string, RunController>();
  private readonly limits: RunLimits;
  private readonly versions = readVersions();
  private readonly playground: PlaygroundHost;
  private readonly picked: PickedPaths;
  private readonly browser: FileBrowser;

  private constructor(private readonly options: EngineOptions) {
    this.catalogue = catalogueOf(options.registry);
    this.paths = ensureWorkspace(options.workspace);
    this.store = new RunStore(this.paths.runs);
    this.cache = new CacheStore(this.paths.cache);
    this.pool = new WorkerPool(options.launcher ?? forkLauncher(), options.registryModule);
    mkdirSync(join(this.paths.root, 'settings'), { recursive: true });
    this.picked = new PickedPaths(join(this.paths.root, 'settings'));
    this.browser = new FileBrowser(options.browseRoots ?? defaultBrowseRoots(this.paths.root, options.allowedRoots ?? []));
    this.playground = new PlaygroundHost(options.launcher ?? forkLauncher(), options.registryModule, (e) => this.broadcast(e));
    this.limits = { maxConcurrent: options.limits?.maxConcurrent ?? 4, maxHeavy: options.limits?.maxHeavy ?? 1 };
  }

  /** Opens a workspace, marking runs left active by a dead process as interrupted. */
  static async open(options: EngineOptions): Promise<Engine> {
    const engine = new Engine(options);
    await engine.store.recoverInterrupted();
    return engine;
  }

  get workspace(): string {
    return this.paths.root;
  }

  private allowedRoots(graphDir: string): ReadRoot[] {
    return [...new Set([this.paths.root, graphDir, ...(this.options.allowedRoots ?? [])]), ...this.picked.list().map((picked) => ({ picked }))];
  }

  private emit = (event: RunEvent): void => {
    try {
      this.store.appendEvent(event);
    } catch {
      // A full disk must not stop the run; run.json still records the outcome when it can.
    }
    this.broadcast(event);
  };

  private broadcast(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  async listNodeTypes(): Promise<NodeSpec[]> {
    return [...this.catalogue.values()].map(toNodeSpec);
  }

  async validateGraph(graph: unknown, graphDir = this.paths.root): Promise<ValidateResult> {
    const result = checkForRun(graph, this.catalogue, resolve(graphDir), this.allowedRoots(resolve(graphDir)));
    return result.ok ? { ok: true, errors: [] } : { ok: false, errors: result.errors };
  }

  async startRun(request: StartRunRequest & { replayOf?: string }): Promise<{ runId: string }> {
    const graphDir = resolve(request.graphDir ?? this.paths.root);
    const checked = checkForRun(request.graph, this.catalogue, graphDir, this.allowedRoots(graphDir));
    if (!checked.ok) throw new GraphInvalidError(checked.errors);
    const seed = request.seed ?? checked.checked.graph.seed;
    const graph: Graph = { ...checked.checked.graph, seed };
    const now = new Date();
    const record: RunRecord = {
      id: newRunId(now),
      state: 'validating',
      createdAt: now.toISOString(),
      graph,
      graphDir,
      graphFile: request.graphFile,
      seed,
      backends: [],
      versions: this.versions,
      owner: { pid: process.pid, host: hostname() },
      replayOf: request.replayOf,
      nodes: Object.fromEntries(graph.nodes.map((n) => [n.id, { state: 'queued' as const }])),
    };
    await this.store.create(record);
    await this.launch(record, request.noCache ?? false);
    return { runId: record.id };
  }

  private async launch(record: RunRecord, noCache: boolean): Promise<void> {
    const checked = checkForRun(record.graph, this.catalogue, record.graphDir, this.allowedRoots(record.graphDir));
    if (!checked.ok) throw new GraphInvalidError(checked.errors);
    const planned = await planRun(checked.checked, this.catalogue, record.seed, this.hasher);
    // Start workers now, for the nodes the cache cannot answer, so their start-up overlaps the first nodes.
    const toExecute = planned.plan.order.filter((id) => noCache || !this.cache.lookup(planned.signatures[id]!)).length;
    this.pool.warm(Math.min(this.limits.maxConcurrent, toExecute));
    const controller = new RunController(
      { record, plan: planned.plan, nodes: checked.checked.nodes, defs: planned.defs, signatures: planned.signatures, inputEdges: planned.inputEdges, noCache },
      { pool: this.pool, cache: this.cache, store: this.store, checkpointsDir: this.paths.checkpoints, workspace: this.paths.root, limits: this.limits, emit: this.emit },
    );
    this.active.set(record.id, controller);
    void controller.finished.then(() => this.active.delete(record.id));
    controller.start();
  }

  private activeRun(runId: string): RunController {
    const run = this.active.get(runId);
    if (!run) throw new RunStateError(`run ${runId} is not running in this Weft`);
    return run;
  }

  async cancelRun(runId: string): Promise<void> {
    this.activeRun(runId).cancel();
  }

  async pauseRun(runId: string): Promise<void> {
    this.activeRun(runId).pause();
  }

  async resumeRun(runId: string): Promise<void> {
    const live = this.active.get(runId);
    if (live) {
      live.resume();
      return;
    }
    await this.store.recoverInterrupted();
    const record = this.store.get(runId);
    if (record.state === 'succeeded') throw new RunStateError(`run ${runId} already succeeded; use replay to run it again`);
    if (record.state !== 'interrupted' && record.state !== 'failed' && record.state !== 'cancelled') {
      throw new RunStateError(`run ${runId} is ${record.state} in another Weft process`);
    }
    record.state = 'validating';
    record.owner = { pid: process.pid, host: hostname() };
    record.endedAt = undefined;
    record.durationMs = undefined;
    record.error = undefined;
    record.resumedAt = [...(record.resumedAt ?? []), new Date().toISOString()];
    for (const node of Object.values(record.nodes)) {
      node.state = 'queued';
      node.error = undefined;
    }
    await this.store.save(record);
    // Finished nodes come back as cache hits; a training node finds its checkpoint by signature.
    await this.launch(record, false);
  }

  async replayRun(runId: string): Promise<{ runId: string }> {
    const past = this.store.get(runId);
    return this.startRun({ graph: past.graph, graphDir: past.graphDir, graphFile: past.graphFile, seed: past.seed, noCache: true, replayOf: runId });
  }

  async listRuns(): Promise<RunSummary[]> {
    return this.store.list();
  }

  async getRun(runId: string): Promise<RunRecord> {
    return this.store.get(runId);
  }

  async previewArtifacts(runId: string, nodeId: string): Promise<ArtifactPreview> {
    return previewArtifacts(this.store.get(runId), nodeId, { root: this.paths.cache });
  }

  async getRunEvents(runId: string): Promise<RunEvent[]> {
    this.store.get(runId);
    return this.store.events(runId);
  }

  async openGraph(path: string): Promise<OpenedGraph> {
    return { path: resolve(path), graph: await readGraphFile(path) };
  }

  async saveGraph(path: string, graph: Graph): Promise<void> {
    await writeGraphFile(path, graph);
  }

  async listTemplates(): Promise<TemplateInfo[]> {
    const dir = examplesDir();
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.weft.json')).sort();
    const templates: TemplateInfo[] = [];
    for (const name of names) {
      const path = resolve(dir, name);
      // A broken example is left out of the gallery rather than breaking it.
      const graph = await readGraphFile(path).catch(() => null);
      if (graph) templates.push({ path, name: graph.meta.name ?? name.replace(/\.weft\.json$/, ''), description: graph.meta.description, nodeCount: graph.nodes.length });
    }
    return templates;
  }

  async listModels(): Promise<ModelInfo[]> {
    return listModels(this.store, this.catalogue, this.paths.cache);
  }

  async startGeneration(request: GenerationRequest): Promise<{ generationId: string }> {
    const model = findModel(this.store.get(request.runId), request.nodeId, this.paths.cache);
    if (request.mode === 'chat' && !request.messages?.length) throw new Error('a chat needs at least one message');
    const generationId = this.playground.start({ modelDir: model.dir, mode: request.mode, prompt: request.prompt, messages: request.messages, settings: request.settings });
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
    return listArtifactFiles(this.store.get(runId), nodeId, this.paths.cache);
  }

  /** The file a download link names, confined to the node's artifact folder. */
  async artifactFile(runId: string, nodeId: string, relativePath: string): Promise<string> {
    return artifactFilePath(this.store.get(runId), nodeId, relativePath, this.paths.cache);
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the final record when a run started in this engine ends. */
  async waitForRun(runId: string): Promise<RunRecord> {
    const run = this.active.get(runId);
    return run ? run.finished : this.store.get(runId);
  }

  async close(): Promise<void> {
    this.playground.close();
    this.pool.close();
    await this.store.flush();
  }
}
