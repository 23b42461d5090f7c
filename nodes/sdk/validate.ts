import type { AnyNodeDefinition, NodeProblem, UpstreamFacts, ValidationEnv } from './define-node.ts';
import type { GraphError } from './errors.ts';
import type { Graph, GraphNode } from './graph.ts';
import { findCycle, topologicalOrder } from './graph-order.ts';
import { checkParamValue, defaultValue, type ParamValue, type ParamValues } from './params.ts';
import { portsCompatible } from './ports.ts';

export type Catalogue = ReadonlyMap<string, AnyNodeDefinition>;

export function catalogueOf(defs: readonly AnyNodeDefinition[]): Catalogue {
  const map = new Map<string, AnyNodeDefinition>();
  for (const def of defs) {
    if (map.has(def.type)) throw new Error(`node type "${def.type}" is registered twice`);
    map.set(def.type, def);
  }
  return map;
}

export interface CheckedGraph {
  /** The graph with node params migrated to the current node versions and defaults filled in. */
  graph: Graph;
  errors: GraphError[];
  /** Problems worth knowing that do not keep the graph from running (a trainer with no validation split). */
  warnings: GraphError[];
}

/** A node's problems as graph problems: errors and warnings apart. */
function report(nodeId: string, problems: readonly NodeProblem[], errors: GraphError[], warnings: GraphError[]): void {
  for (const p of problems) {
    const where = { nodeId, ...(p.param ? { param: p.param } : {}), ...(p.port ? { port: p.port } : {}), message: p.message };
    if (p.severity === 'warning') warnings.push({ code: 'node_warning', severity: 'warning', ...where });
    else errors.push({ code: 'node_invalid', ...where });
  }
}

function own(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

function resolveNodeParams(node: GraphNode, def: AnyNodeDefinition, errors: GraphError[]): { node: GraphNode; paramsOk: boolean } {
  let params: Record<string, unknown> = { ...node.params };
  let version = node.version;
  if (node.version > def.version) {
    errors.push({
      code: 'unsupported_node_version',
      nodeId: node.id,
      message: `was saved by a newer Weft (${node.type} version ${node.version}); this Weft has version ${def.version}`,
    });
    return { node, paramsOk: false };
  }
  if (node.version < def.version) {
    if (!def.migrate) {
      errors.push({ code: 'unsupported_node_version', nodeId: node.id, message: `${node.type} version ${node.version} cannot be upgraded to version ${def.version}` });
      return { node, paramsOk: false };
    }
    params = def.migrate(params, node.version);
    version = def.version;
  }
  let paramsOk = true;
  for (const key of Object.keys(params)) {
    if (!own(def.params, key)) {
      errors.push({ code: 'unknown_param', nodeId: node.id, param: key, message: `${node.type} has no param "${key}"` });
      paramsOk = false;
    }
  }
  const resolved: ParamValues = {};
  for (const [key, spec] of Object.entries(def.params)) {
    const value = own(params, key) ? params[key] : defaultValue(spec);
    if (value === undefined) {
      errors.push({ code: 'param_required', nodeId: node.id, param: key, message: `${spec.label ?? key} is required` });
      paramsOk = false;
      continue;
    }
    // A bad value is refused even in a setting that does not apply: the graph file is malformed, and
    // the editor shows such a field with its error rather than hiding it (bench/probes.ts checks).
    const problem = checkParamValue(spec, value);
    if (problem) {
      errors.push({ code: problem.code, nodeId: node.id, param: key, message: `${spec.label ?? key} ${problem.message}` });
      paramsOk = false;
      continue;
    }
    resolved[key] = value as ParamValue;
  }
  return { node: { ...node, version, params: resolved }, paramsOk };
}

/**
 * Upgrades the params of nodes saved by older versions of their types (each type's migrate()), so
 * an opened graph shows today's params. Nodes that cannot be upgraded are left for validation to report.
 */
export function migrateNodes(graph: Graph, catalogue: Catalogue): Graph {
  let changed = false;
  const nodes = graph.nodes.map((node) => {
    const def = catalogue.get(node.type);
    if (!def?.migrate || node.version >= def.version) return node;
    changed = true;
    return { ...node, version: def.version, params: def.migrate({ ...node.params }, node.version) };
  });
  return changed ? { ...graph, nodes } : graph;
}

/**
 * Checks a structurally valid graph against the node catalogue. Reports every problem, not just the
 * first. `env` is what the host knows (files, the machine's memory); without it the checks that
 * need it are skipped.
 */
export function checkGraph(graph: Graph, catalogue: Catalogue, env: ValidationEnv = {}): CheckedGraph {
  const errors: GraphError[] = [];
  const warnings: GraphError[] = [];
  const nodesById = new Map<string, GraphNode>();
  for (const node of graph.nodes) {
    if (nodesById.has(node.id)) errors.push({ code: 'duplicate_node_id', nodeId: node.id, message: `two nodes share the id "${node.id}"` });
    else nodesById.set(node.id, node);
  }
  const edgeIds = new Set<string>();
  for (const edge of graph.edges) {
    if (edgeIds.has(edge.id)) errors.push({ code: 'duplicate_edge_id', edgeId: edge.id, message: `two edges share the id "${edge.id}"` });
    edgeIds.add(edge.id);
  }

  const resolvedNodes: GraphNode[] = [];
  const paramsOk = new Map<string, boolean>();
  for (const node of graph.nodes) {
    const def = catalogue.get(node.type);
    if (!def) {
      errors.push({ code: 'unknown_node_type', nodeId: node.id, message: `unknown node type "${node.type}"` });
      resolvedNodes.push(node);
      continue;
    }
    const r = resolveNodeParams(node, def, errors);
    paramsOk.set(node.id, r.paramsOk);
    resolvedNodes.push(r.node);
  }

  const incoming = new Map<string, string>(); // "node:port" -> edge id
  const feeds = new Map<string, { node: GraphNode; port: string }>(); // "node:port" -> the output feeding it
  const validEdges: Graph['edges'] = [];
  for (const edge of graph.edges) {
    const source = nodesById.get(edge.source);
    const target = nodesById.get(edge.target);
    if (!source || !target) {
      const missing = !source ? edge.source : edge.target;
      errors.push({ code: 'unknown_node', edgeId: edge.id, message: `connects to a node that does not exist: "${missing}"` });
      continue;
    }
    const sourceDef = catalogue.get(source.type);
    const targetDef = catalogue.get(target.type);
    if (!sourceDef || !targetDef) continue; // already reported as unknown_node_type
    const out = own(sourceDef.outputs, edge.sourceHandle) ? sourceDef.outputs[edge.sourceHandle] : undefined;
    const inp = own(targetDef.inputs, edge.targetHandle) ? targetDef.inputs[edge.targetHandle] : undefined;
    if (!out) {
      errors.push({ code: 'unknown_port', edgeId: edge.id, nodeId: source.id, port: edge.sourceHandle, message: `${source.type} has no output "${edge.sourceHandle}"` });
      continue;
    }
    if (!inp) {
      errors.push({ code: 'unknown_port', edgeId: edge.id, nodeId: target.id, port: edge.targetHandle, message: `${target.type} has no input "${edge.targetHandle}"` });
      continue;
    }
    if (!portsCompatible(out.type, inp.type)) {
      errors.push({
        code: 'port_type_mismatch',
        edgeId: edge.id,
        nodeId: target.id,
        port: edge.targetHandle,
        message: `expects ${inp.type} but "${source.id}.${edge.sourceHandle}" gives ${out.type}`,
      });
      continue;
    }
    const key = `${target.id}\u0000${edge.targetHandle}`;
    if (incoming.has(key)) {
      errors.push({
        code: 'multiple_edges_into_input',
        edgeId: edge.id,
        nodeId: target.id,
        port: edge.targetHandle,
        message: `input "${edge.targetHandle}" already has an edge ("${incoming.get(key)}"); an input takes one edge`,
      });
      continue;
    }
    incoming.set(key, edge.id);
    feeds.set(key, { node: source, port: edge.sourceHandle });
    validEdges.push(edge);
  }

  const byId = new Map(resolvedNodes.map((n) => [n.id, n]));
  const connectedOf = (node: GraphNode, def: AnyNodeDefinition) => Object.keys(def.inputs).filter((p) => incoming.has(`${node.id}\u0000${p}`));
  // Facts flow downstream: a node's output facts come from its params and its inputs' facts.
  const outputFacts = new Map<string, Partial<Record<string, UpstreamFacts>>>();
  const pending = new Set<string>();
  const factsOfOutputs = (node: GraphNode): Partial<Record<string, UpstreamFacts>> => {
    const known = outputFacts.get(node.id);
    if (known) return known;
    const def = catalogue.get(node.type);
    // A cycle (reported below) or broken params: nothing is known.
    if (!def || pending.has(node.id) || !paramsOk.get(node.id)) return {};
    pending.add(node.id);
    let facts: Partial<Record<string, UpstreamFacts>> = {};
    try {
      facts = def.outputFacts?.(node.params as never, inputFacts(node, def), env) ?? {};
    } catch {
      // A hook that cannot tell (an unreadable file) knows nothing; checkFiles reports the file.
    }
    pending.delete(node.id);
    outputFacts.set(node.id, facts);
    return facts;
  };
  const inputFacts = (node: GraphNode, def: AnyNodeDefinition): Record<string, UpstreamFacts> => {
    const facts: Record<string, UpstreamFacts> = {};
    for (const port of connectedOf(node, def)) {
      const feed = feeds.get(`${node.id}\u0000${port}`)!;
      const sourceDef = catalogue.get(feed.node.type)!;
      const sourceNode = byId.get(feed.node.id)!;
      const names = sourceDef.outputs[feed.port]?.type === 'Metrics' && paramsOk.get(sourceNode.id) ? sourceDef.metricNames?.(sourceNode.params as never) : undefined;
      facts[port] = { ...factsOfOutputs(sourceNode)[feed.port], ...(names ? { metricNames: names } : {}) };
    }
    return facts;
  };

  // In flow order, so each node finds its inputs' facts ready (no recursion: a 10,000-node chain
  // cannot overflow the stack). Nodes in or after a cycle (reported below) know nothing.
  const { order, blocked } = topologicalOrder([...byId.keys()], validEdges);
  for (const id of blocked) outputFacts.set(id, {});
  for (const id of order) factsOfOutputs(byId.get(id)!);

  for (const node of resolvedNodes) {
    const def = catalogue.get(node.type);
    if (!def) continue;
    const connected = connectedOf(node, def);
    for (const [port, spec] of Object.entries(def.inputs)) {
      if (!spec.optional && !connected.includes(port)) {
        errors.push({ code: 'missing_input', nodeId: node.id, port, message: `input "${spec.label ?? port}" (${spec.type}) is not connected` });
      }
    }
    if (def.validate && paramsOk.get(node.id)) report(node.id, def.validate(node.params as never, connected), errors, warnings);
    if (def.validateWithInputs && paramsOk.get(node.id)) {
      const memory = env.trainingMemory?.(node.device ?? graph.device ?? 'auto');
      report(node.id, def.validateWithInputs(node.params as never, inputFacts(node, def), memory ? { memory } : {}), errors, warnings);
    }
  }

  const cycle = findCycle([...nodesById.keys()], validEdges);
  if (cycle) {
    errors.push({ code: 'cycle', nodeId: cycle[0], message: `the graph has a cycle: ${cycle.join(' → ')}` });
  }

  return { graph: { ...graph, nodes: resolvedNodes }, errors, warnings };
}
