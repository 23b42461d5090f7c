import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import type { StartRunRequest, WeftApi } from '../../nodes/sdk/index.ts';

/** Follows symlinks of the longest existing prefix, so a link inside the workspace cannot lead out. */
function realish(path: string): string {
  let head = path;
  const tail: string[] = [];
  while (!existsSync(head)) {
    const up = dirname(head);
    if (up === head) return path;
    tail.unshift(head.slice(up.length + (up.endsWith(sep) ? 0 : 1)));
    head = up;
  }
  return resolve(realpathSync(head), ...tail);
}

function within(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

export class PathRefusedError extends Error {
  constructor(path: string, why = 'it is outside the folders this Weft may use from the browser (the workspace, the examples and the graph it was started with)') {
    super(`refused "${path}": ${why}`);
    this.name = 'PathRefusedError';
  }
}

export interface PathPolicy {
  /** Relative paths from the browser resolve here. */
  workspace: string;
  /** Folders the browser may read graphs from and run graphs in (the examples, read-only). */
  readRoots: string[];
  /** Single files the browser may open and save (the graph given on the command line). */
  files: string[];
}

/**
 * The browser is less trusted than the desktop window (any local page may try the port), so every
 * path it sends is resolved and confined: graphs open and save inside the workspace or as the file
 * named on the command line; examples may be read and run but never overwritten.
 */
export class Confinement {
  private readonly workspace: string;
  private readonly readRoots: string[];
  private readonly files: string[];

  constructor(policy: PathPolicy) {
    this.workspace = realish(resolve(policy.workspace));
    this.readRoots = policy.readRoots.map((r) => realish(resolve(r)));
    this.files = policy.files.map((f) => realish(resolve(f)));
  }

  private resolve(path: string): string {
    return realish(isAbsolute(path) ? resolve(path) : resolve(this.workspace, path));
  }

  private graphFile(path: string): string {
    // Only graph files cross this door: no run record or cached artifact can be overwritten or read.
    if (!path.endsWith('.weft.json')) throw new PathRefusedError(path, 'graph files end in .weft.json');
    return this.resolve(path);
  }

  writable(path: string): string {
    const p = this.graphFile(path);
    if (within(p, this.workspace) || this.files.includes(p)) return p;
    throw new PathRefusedError(path);
  }

  readable(path: string): string {
    const p = this.graphFile(path);
    if (within(p, this.workspace) || this.files.includes(p) || this.readRoots.some((r) => within(p, r))) return p;
    throw new PathRefusedError(path);
  }

  /** A graph's folder: where its relative file params resolve; the engine confines reads to it. */
  folder(path: string): string {
    const p = this.resolve(path);
    if (within(p, this.workspace) || this.files.some((f) => dirname(f) === p) || this.readRoots.some((r) => within(p, r))) return p;
    throw new PathRefusedError(path);
  }
}

/** The same API with every browser-supplied path checked first. */
export function confinedApi(api: WeftApi, c: Confinement): WeftApi {
  return {
    ...bindAll(api),
    validateGraph: (graph, graphDir) => api.validateGraph(graph, graphDir === undefined ? undefined : c.folder(graphDir)),
    startRun: (request: StartRunRequest) =>
      api.startRun({
        ...request,
        graphDir: request.graphDir === undefined ? undefined : c.folder(request.graphDir),
        graphFile: request.graphFile === undefined ? undefined : c.readable(request.graphFile),
      }),
    // graphDir is a folder graphs may read: from the browser it must be one the browser may use.
    previewDataFile: async (request) => api.previewDataFile({ ...request, graphDir: request.graphDir === undefined ? undefined : c.folder(request.graphDir) }),
    describeModel: async (request) => api.describeModel({ ...request, graphDir: request.graphDir === undefined ? undefined : c.folder(request.graphDir) }),
    openGraph: (path) => api.openGraph(c.readable(path)),
    saveGraph: (path, graph) => api.saveGraph(c.writable(path), graph),
  };
}

function bindAll(api: WeftApi): WeftApi {
  const out: Record<string, unknown> = {};
  let proto: object | null = api;
  while (proto && proto !== Object.prototype) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const value = (api as unknown as Record<string, unknown>)[key];
      if (key !== 'constructor' && typeof value === 'function' && !(key in out)) out[key] = (value as (...a: unknown[]) => unknown).bind(api);
    }
    proto = Object.getPrototypeOf(proto);
  }
  return out as unknown as WeftApi;
}
