import { parseParamString, type AnyNodeDefinition, type Graph } from '../../nodes/sdk/index.ts';

/** Applies `--set node.param=value` overrides, parsing each value as its param expects. */
export function applyOverrides(graph: Graph, sets: readonly string[], catalogue: ReadonlyMap<string, AnyNodeDefinition>): Graph {
  const nodes = graph.nodes.map((n) => ({ ...n, params: { ...n.params } }));
  for (const set of sets) {
    const eq = set.indexOf('=');
    const key = eq === -1 ? set : set.slice(0, eq);
    const dot = key.indexOf('.');
    if (eq === -1 || dot === -1) throw new Error(`--set ${set}: expected node.param=value`);
    const nodeId = key.slice(0, dot);
    const param = key.slice(dot + 1);
    const node = nodes.find((n) => n.id === nodeId);
    if (!node) throw new Error(`--set ${set}: the graph has no node "${nodeId}" (nodes: ${nodes.map((n) => n.id).join(', ')})`);
    const spec = catalogue.get(node.type)?.params[param];
    if (!spec) {
      const known = Object.keys(catalogue.get(node.type)?.params ?? {});
      throw new Error(`--set ${set}: ${node.type} has no param "${param}"${known.length ? ` (params: ${known.join(', ')})` : ''}`);
    }
    node.params[param] = parseParamString(spec, set.slice(eq + 1));
  }
  return { ...graph, nodes };
}
