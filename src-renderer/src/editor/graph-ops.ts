import type { Draft } from 'immer';
import type { NodeSpec } from '../../../nodes/sdk/define-node.ts';
import type { Graph, GraphEdge, GraphNode } from '../../../nodes/sdk/graph.ts';
import { defaultValue } from '../../../nodes/sdk/params.ts';
import { portsCompatible } from '../../../nodes/sdk/ports.ts';

/** A readable id that is unique in the graph and fits the file format ("stats", "stats_2"). */
export function freshNodeId(graph: Pick<Graph, 'nodes'>, type: string, taken: Set<string> = new Set()): string {
  const base = (type.split('.').pop() ?? 'node').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 50) || 'node';
  const used = new Set([...graph.nodes.map((n) => n.id), ...taken]);
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** A new node with every param at its default, so the inspector shows real values. */
export function newNode(graph: Pick<Graph, 'nodes'>, spec: NodeSpec, position: { x: number; y: number }): GraphNode {
  const params: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(spec.params)) {
    const v = defaultValue(p);
    if (v !== undefined) params[name] = v;
  }
  return { id: freshNodeId(graph, spec.type), type: spec.type, version: spec.version, position: { x: Math.round(position.x), y: Math.round(position.y) }, params };
}

export interface ConnectionRequest {
  source: string;
  sourceHandle: string;
  target: string;
  targetHandle: string;
}

export type ConnectionVerdict =
  | { ok: true; edge: GraphEdge; replaces?: string }
  | { ok: false; reason: string };

function reaches(graph: Graph, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of graph.edges) if (e.source === id) stack.push(e.target);
  }
  return false;
}

/**
 * Decides a connection the user drew. Types must match exactly; no cycles. An input takes one
 * edge: a new edge into a connected input replaces the old one (always, so the rule is predictable).
 */
export function checkConnection(graph: Graph, specs: ReadonlyMap<string, NodeSpec>, c: ConnectionRequest): ConnectionVerdict {
  const src = graph.nodes.find((n) => n.id === c.source);
  const dst = graph.nodes.find((n) => n.id === c.target);
  if (!src || !dst) return { ok: false, reason: 'That node no longer exists.' };
  if (src.id === dst.id) return { ok: false, reason: 'A node cannot feed itself.' };
  const out = specs.get(src.type)?.outputs[c.sourceHandle];
  const inp = specs.get(dst.type)?.inputs[c.targetHandle];
  if (!out || !inp) return { ok: false, reason: 'Connect an output (right side) to an input (left side).' };
  if (!portsCompatible(out.type, inp.type)) {
    return { ok: false, reason: `Can't connect ${out.type} to ${inp.type}: "${c.sourceHandle}" gives ${out.type}, "${c.targetHandle}" needs ${inp.type}.` };
  }
  if (reaches(graph, dst.id, src.id)) return { ok: false, reason: 'That connection would make a loop; pipelines flow one way.' };
  const existing = graph.edges.find((e) => e.target === c.target && e.targetHandle === c.targetHandle);
  if (existing && existing.source === c.source && existing.sourceHandle === c.sourceHandle) return { ok: false, reason: 'Already connected.' };
  const id = freshEdgeId(graph, c);
  return { ok: true, edge: { id, ...c }, replaces: existing?.id };
}

function freshEdgeId(graph: Graph, c: ConnectionRequest): string {
  const base = `${c.source}.${c.sourceHandle}-${c.target}.${c.targetHandle}`.slice(0, 180);
  const used = new Set(graph.edges.map((e) => e.id));
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
}

export function applyConnection(g: Draft<Graph>, verdict: Extract<ConnectionVerdict, { ok: true }>): void {
  if (verdict.replaces) g.edges = g.edges.filter((e) => e.id !== verdict.replaces);
  g.edges.push(verdict.edge);
}

export function deleteItems(g: Draft<Graph>, nodeIds: ReadonlySet<string>, edgeIds: ReadonlySet<string>): void {
  g.nodes = g.nodes.filter((n) => !nodeIds.has(n.id));
  g.edges = g.edges.filter((e) => !edgeIds.has(e.id) && !nodeIds.has(e.source) && !nodeIds.has(e.target));
}

/** What copy puts on the clipboard: nodes and the edges among them. */
export interface Fragment {
  weftFragment: 1;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function fragmentOf(graph: Graph, nodeIds: ReadonlySet<string>): Fragment {
  return {
    weftFragment: 1,
    nodes: structuredClone(graph.nodes.filter((n) => nodeIds.has(n.id))),
    edges: structuredClone(graph.edges.filter((e) => nodeIds.has(e.source) && nodeIds.has(e.target))),
  };
}

/** Pastes a fragment with fresh ids, offset so the copy does not hide the original; returns the new ids. */
export function pasteFragment(g: Draft<Graph>, fragment: Fragment, offset = { x: 40, y: 40 }): string[] {
  const rename = new Map<string, string>();
  const taken = new Set<string>();
  for (const n of fragment.nodes) {
    const id = freshNodeId(g, n.id.replace(/_\d+$/, ''), taken);
    taken.add(id);
    rename.set(n.id, id);
  }
  for (const n of fragment.nodes) {
    g.nodes.push({ ...structuredClone(n), id: rename.get(n.id)!, position: { x: n.position.x + offset.x, y: n.position.y + offset.y } });
  }
  for (const e of fragment.edges) {
    const edge = { ...e, source: rename.get(e.source)!, target: rename.get(e.target)! };
    g.edges.push({ ...edge, id: freshEdgeId(g as Graph, edge) });
  }
  return [...rename.values()];
}

export function isFragment(value: unknown): value is Fragment {
  const v = value as Partial<Fragment> | null;
  return !!v && v.weftFragment === 1 && Array.isArray(v.nodes) && Array.isArray(v.edges);
}

/**
 * Tidy layout: columns by longest path from a source, rows in the order nodes had before (so a
 * layout keeps the user's rough arrangement), centred per column.
 */
export function autoLayout(g: Draft<Graph>, colWidth = 300, rowHeight = 170): void {
  const layer = new Map<string, number>();
  const incoming = new Map<string, string[]>();
  for (const e of g.edges) incoming.set(e.target, [...(incoming.get(e.target) ?? []), e.source]);
  const depth = (id: string, seen: Set<string>): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0;
    seen.add(id);
    const d = Math.max(-1, ...(incoming.get(id) ?? []).map((s) => depth(s, seen))) + 1;
    layer.set(id, d);
    return d;
  };
  for (const n of g.nodes) depth(n.id, new Set());
  const columns = new Map<number, GraphNode[]>();
  for (const n of g.nodes) columns.set(layer.get(n.id)!, [...(columns.get(layer.get(n.id)!) ?? []), n as GraphNode]);
  const tallest = Math.max(0, ...[...columns.values()].map((c) => c.length));
  for (const [col, nodes] of columns) {
    nodes.sort((a, b) => a.position.y - b.position.y);
    const top = ((tallest - nodes.length) * rowHeight) / 2;
    nodes.forEach((n, row) => {
      const d = g.nodes.find((x) => x.id === n.id)!;
      d.position = { x: col * colWidth, y: Math.round(top + row * rowHeight) };
    });
  }
}
