import { statSync, type Stats } from 'node:fs';
import {
  checkGraph,
  paramApplies,
  parseGraphValue,
  topologicalOrder,
  type AnyNodeDefinition,
  type Catalogue,
  type Graph,
  type GraphError,
  type GraphNode,
  type ValidationEnv,
} from '../../nodes/sdk/index.ts';
import { resolveGraphPath, type ReadRoot } from './paths.ts';
import type { RunPlan } from './run-machine.ts';
import { nodeSignature, type ContentHasher } from './signature.ts';

export interface Checked {
  graph: Graph;
  /** Nodes with file params made absolute, ready to hand to a worker. */
  nodes: Map<string, GraphNode>;
  /** Absolute paths of file/folder params, per node and param. */
  files: Map<string, Record<string, string>>;
  /** What the check found at each of those paths, so planning hashes them without a second stat. */
  stats: Map<string, Stats>;
  /** Worth telling the user, not blocking the run. */
  warnings: GraphError[];
}

/** What validation may learn from the host beyond the graph: the training memory of the machine. */
export type HostValidationEnv = Pick<ValidationEnv, 'trainingMemory' | 'workspace'>;

/** Structure, catalogue and file checks: everything that can be known before running. */
export function checkForRun(
  raw: unknown,
  catalogue: Catalogue,
  graphDir: string,
  allowedRoots: readonly ReadRoot[],
  host: HostValidationEnv = {},
): { ok: true; checked: Checked } | { ok: false; errors: GraphError[]; warnings: GraphError[] } {
  const parsed = parseGraphValue(raw);
  if (!parsed.ok) return { ...parsed, warnings: [] };
  // Facts of models in folders (their config.json) come from the paths the run itself would read.
  const env: ValidationEnv = {
    ...host,
    resolvePath: (value) => {
      const resolved = resolveGraphPath(value, graphDir, allowedRoots);
      return 'error' in resolved ? undefined : resolved.path;
    },
  };
  const { graph, errors, warnings } = checkGraph(parsed.graph, catalogue, env);
  const nodes = new Map<string, GraphNode>();
  const files = new Map<string, Record<string, string>>();
  const stats = new Map<string, Stats>();
  const connectedPorts = new Map<string, string[]>();
  for (const e of graph.edges) connectedPorts.set(e.target, [...(connectedPorts.get(e.target) ?? []), e.targetHandle]);
  for (const node of graph.nodes) {
    const def = catalogue.get(node.type);
    if (!def) continue;
    const params = { ...node.params };
    const nodeFiles: Record<string, string> = {};
    const connected = connectedPorts.get(node.id) ?? [];
    for (const [name, spec] of Object.entries(def.params)) {
      const value = params[name];
      if ((spec.kind !== 'file' && spec.kind !== 'folder') || typeof value !== 'string' || value === '') continue;
      // A path kept in a setting that does not apply (a model folder of a new model) is neither read nor required.
      if (!paramApplies(def.params, name, node.params, connected)) continue;
      const resolved = resolveGraphPath(value, graphDir, allowedRoots);
      if ('error' in resolved) {
        errors.push({ code: 'path_outside_workspace', nodeId: node.id, param: name, message: resolved.error });
        continue;
      }
      const stat = statSync(resolved.path, { throwIfNoEntry: false });
      if (!stat || (spec.kind === 'folder' ? !stat.isDirectory() : !stat.isFile())) {
        errors.push({ code: 'file_not_found', nodeId: node.id, param: name, message: `${spec.kind} not found: ${resolved.path}` });
        continue;
      }
      stats.set(resolved.path, stat);
      params[name] = resolved.path;
      nodeFiles[name] = resolved.path;
    }
    nodes.set(node.id, { ...node, params });
    files.set(node.id, nodeFiles);
    // What the files hold, once every file param of this node resolved to something that exists.
    if (def.checkFiles && errors.every((e) => e.nodeId !== node.id)) {
      for (const problem of def.checkFiles(params as never)) errors.push({ code: 'invalid_file', nodeId: node.id, ...(problem.param ? { param: problem.param } : {}), ...(problem.port ? { port: problem.port } : {}), message: problem.message });
    }
  }
  if (errors.length) return { ok: false, errors, warnings };
  return { ok: true, checked: { graph, nodes, files, stats, warnings } };
}

export interface Planned {
  plan: RunPlan;
  signatures: Record<string, string>;
  defs: Map<string, AnyNodeDefinition>;
  inputEdges: Record<string, Array<{ port: string; source: string; sourceHandle: string }>>;
}

/** Order, dependencies and signatures. Signatures chain: a node's includes those of its inputs. */
export async function planRun(checked: Checked, catalogue: Catalogue, seed: number, hasher: ContentHasher): Promise<Planned> {
  const { graph } = checked;
  const ids = graph.nodes.map((n) => n.id);
  const { order } = topologicalOrder(ids, graph.edges);
  const upstream: Record<string, string[]> = Object.fromEntries(ids.map((id) => [id, []]));
  const inputEdges: Planned['inputEdges'] = Object.fromEntries(ids.map((id) => [id, []]));
  // Direct edges only: planning stays linear in the graph's size (every descendant of every node was cubic).
  const downstream: Record<string, string[]> = Object.fromEntries(ids.map((id) => [id, []]));
  const linked = new Set<string>();
  for (const e of graph.edges) {
    const key = `${e.source}\u0000${e.target}`;
    if (!linked.has(key)) {
      linked.add(key);
      upstream[e.target]!.push(e.source);
      downstream[e.source]!.push(e.target);
    }
    inputEdges[e.target]!.push({ port: e.targetHandle, source: e.source, sourceHandle: e.sourceHandle });
  }
  const defs = new Map(graph.nodes.map((n) => [n.id, catalogue.get(n.type)!]));
  const heavy = Object.fromEntries(graph.nodes.map((n) => [n.id, defs.get(n.id)!.heavy ?? false]));
  const signatures: Record<string, string> = {};
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  for (const id of order) {
    const node = byId.get(id)!;
    const fileHashes: Record<string, string> = {};
    for (const [param, path] of Object.entries(checked.files.get(id) ?? {})) fileHashes[param] = await hasher.hash(path, checked.stats.get(path));
    signatures[id] = nodeSignature({
      type: node.type,
      version: node.version,
      ...(defs.get(id)!.outputRevision !== undefined ? { revision: defs.get(id)!.outputRevision } : {}),
      params: node.params,
      seed,
      inputs: Object.fromEntries(inputEdges[id]!.map((e) => [e.port, `${signatures[e.source]}:${e.sourceHandle}`])),
      files: fileHashes,
    });
  }
  return { plan: { order, upstream, downstream, heavy }, signatures, defs, inputEdges };
}
