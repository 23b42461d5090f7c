/**
 * Malformed graphs through the same path as `weft validate` (parseGraph, then the engine's check):
 * each is a known-invalid change to an example graph, or broken text. Counts the ones wrongly
 * accepted (must be 0) and the crashes (an exception instead of a located error).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGraph, type Graph, type NodeSpec, type WeftApi } from '../../nodes/sdk/index.ts';
import { Prng } from '../../nodes/lib/prng.ts';
import { examplesDir } from '../../src-main/host/templates.ts';

type Mutation = (g: Graph, r: Prng, specs: Map<string, NodeSpec>) => Graph | string | null;
const pick = <T>(r: Prng, xs: readonly T[]): T => xs[r.int(xs.length)]!;
const clone = (g: Graph): Graph => structuredClone(g);

/** Each makes a graph that must be refused; null when it does not apply to this graph. */
const MUTATIONS: Record<string, Mutation> = {
  'unknown node type': (g, r) => ((g = clone(g)), (pick(r, g.nodes).type = `no.such.type${r.int(99)}`), g),
  'duplicate node id': (g, r) => {
    if (g.nodes.length < 2) return null;
    g = clone(g);
    const a = r.int(g.nodes.length);
    g.nodes[(a + 1) % g.nodes.length]!.id = g.nodes[a]!.id;
    return g;
  },
  'bad node id characters': (g, r) => ((g = clone(g)), (pick(r, g.nodes).id = pick(r, ['a b', 'x/y', '', 'ü', '../x', 'a'.repeat(65)])), g),
  'edge from a missing node': (g, r) => ((g = clone(g)), g.edges.push({ id: 'bad', source: `ghost${r.int(9)}`, sourceHandle: 'out', target: pick(r, g.nodes).id, targetHandle: 'x' }), g),
  'edge to a missing port': (g, r) => {
    if (!g.edges.length) return null;
    g = clone(g);
    pick(r, g.edges).targetHandle = `nope${r.int(9)}`;
    return g;
  },
  'edge from a missing port': (g, r) => {
    if (!g.edges.length) return null;
    g = clone(g);
    pick(r, g.edges).sourceHandle = `nope${r.int(9)}`;
    return g;
  },
  'mismatched port types': (g, r, specs) => {
    g = clone(g);
    const options: Array<{ source: string; sourceHandle: string; target: string; targetHandle: string }> = [];
    for (const s of g.nodes) for (const [out, po] of Object.entries(specs.get(s.type)?.outputs ?? {}))
      for (const t of g.nodes) for (const [inp, pi] of Object.entries(specs.get(t.type)?.inputs ?? {})) if (s.id !== t.id && po.type !== pi.type) options.push({ source: s.id, sourceHandle: out, target: t.id, targetHandle: inp });
    if (!options.length) return null;
    const e = pick(r, options);
    g.edges = g.edges.filter((x) => !(x.target === e.target && x.targetHandle === e.targetHandle));
    g.edges.push({ id: 'mismatch', ...e });
    return g;
  },
  'required input left unconnected': (g, r, specs) => {
    const required = g.edges.filter((e) => {
      const t = g.nodes.find((n) => n.id === e.target);
      const port = t && specs.get(t.type)?.inputs[e.targetHandle];
      return port && !port.optional;
    });
    if (!required.length) return null;
    const cut = pick(r, required);
    g = clone(g);
    g.edges = g.edges.filter((e) => e.id !== cut.id);
    return g;
  },
  'a cycle': (g, r, specs) => {
    // An edge back from a node to one of its ancestors, on ports of the same type where there are.
    const order = g.nodes.map((n) => n.id);
    const ancestors = (id: string, seen = new Set<string>()): Set<string> => {
      for (const e of g.edges) if (e.target === id && !seen.has(e.source)) (seen.add(e.source), ancestors(e.source, seen));
      return seen;
    };
    const withAncestors = order.filter((id) => ancestors(id).size > 0);
    if (!withAncestors.length) return null;
    const fromId = pick(r, withAncestors);
    const from = g.nodes.find((n) => n.id === fromId)!;
    const toId = pick(r, [...ancestors(from.id)]);
    const to = g.nodes.find((n) => n.id === toId)!;
    const outs = Object.keys(specs.get(from.type)?.outputs ?? {});
    const ins = Object.keys(specs.get(to.type)?.inputs ?? {});
    if (!outs.length || !ins.length) return null;
    g = clone(g);
    g.edges.push({ id: 'back', source: from.id, sourceHandle: pick(r, outs), target: to.id, targetHandle: pick(r, ins) });
    return g;
  },
  'integer param out of range': (g, r, specs) => {
    const candidates = g.nodes.flatMap((n) => Object.entries(specs.get(n.type)?.params ?? {}).filter(([, p]) => p.kind === 'integer' && ((p as { max?: number }).max !== undefined || (p as { min?: number }).min !== undefined)).map(([k, p]) => ({ n, k, p: p as { min?: number; max?: number } })));
    if (!candidates.length) return null;
    const { n, k, p } = pick(r, candidates);
    g = clone(g);
    g.nodes.find((x) => x.id === n.id)!.params[k] = p.max !== undefined && (p.min === undefined || r.next() < 0.5) ? p.max + 1 + r.int(1000) : p.min! - 1 - r.int(1000);
    return g;
  },
  'non-integer for an integer param': (g, r, specs) => {
    const candidates = g.nodes.flatMap((n) => Object.entries(specs.get(n.type)?.params ?? {}).filter(([, p]) => p.kind === 'integer').map(([k]) => ({ n, k })));
    if (!candidates.length) return null;
    const { n, k } = pick(r, candidates);
    g = clone(g);
    g.nodes.find((x) => x.id === n.id)!.params[k] = pick(r, [1.5, 'ten', true, null, [], {}]);
    return g;
  },
  'enum value not offered': (g, r, specs) => {
    const candidates = g.nodes.flatMap((n) => Object.entries(specs.get(n.type)?.params ?? {}).filter(([, p]) => p.kind === 'enum').map(([k]) => ({ n, k })));
    if (!candidates.length) return null;
    const { n, k } = pick(r, candidates);
    g = clone(g);
    g.nodes.find((x) => x.id === n.id)!.params[k] = pick(r, ['not-an-option', '', 42, false]);
    return g;
  },
  'wrong type for a string param': (g, r, specs) => {
    const candidates = g.nodes.flatMap((n) => Object.entries(specs.get(n.type)?.params ?? {}).filter(([, p]) => p.kind === 'string').map(([k]) => ({ n, k })));
    if (!candidates.length) return null;
    const { n, k } = pick(r, candidates);
    g = clone(g);
    g.nodes.find((x) => x.id === n.id)!.params[k] = pick(r, [7, true, [], { a: 1 }]);
    return g;
  },
  'unknown field on a node': (g, r) => ((g = clone(g)), ((pick(r, g.nodes) as unknown as Record<string, unknown>)[pick(r, ['code', 'script', 'exec', 'extra'])] = 'x'), g),
  'node version 0 or fractional': (g, r) => ((g = clone(g)), (pick(r, g.nodes).version = pick(r, [0, -1, 1.5])), g),
  'position not a number': (g, r) => ((g = clone(g)), ((pick(r, g.nodes).position as unknown as Record<string, unknown>).x = pick(r, ['1', null, {}])), g),
  'graph seed invalid': (g, r) => ((g = clone(g)), ((g as unknown as Record<string, unknown>).seed = pick(r, [-1, 1.5, 2 ** 33, 'x'])), g),
  'wrong format marker': (g, r) => ((g = clone(g)), ((g as unknown as Record<string, unknown>).format = pick(r, ['weft', 'weft.graph2', '', 1])), g),
  'newer graph version': (g, r) => ((g = clone(g)), (g.version = 2 + r.int(50)), g),
  'nodes not a list': (g, r) => ((g = clone(g)), ((g as unknown as Record<string, unknown>).nodes = pick(r, [{}, 'x', null, 3])), g),
  'hostile key': (g, r) => JSON.stringify(g).replace('"params":{', `"params":{"${pick(r, ['__proto__', 'constructor', 'prototype'])}":{"x":1},`),
  'truncated text': (g, r) => {
    const text = JSON.stringify(g, null, 2);
    return text.slice(0, 1 + r.int(text.lastIndexOf('}')));
  },
  'deeply nested broken JSON': (_g, r) => '{"a":' + '['.repeat(1000 + r.int(9000)) + '1,}',
  'not JSON at all': (_g, r) => pick(r, ['', 'null', '[]', '"graph"', '42', 'format: weft.graph', String.fromCharCode(...Array.from({ length: 64 }, () => r.int(256)))]),
};

export interface MalformedFigures {
  graphs: number;
  wronglyAccepted: Array<{ kind: string; example: string }>;
  crashes: Array<{ kind: string; example: string; error: string }>;
  perKind: Record<string, number>;
  ms: number;
}

/** Runs every mutation `variants` times on every example graph. */
export async function probeMalformedGraphs(api: WeftApi, variants = 15): Promise<MalformedFigures> {
  const specs = new Map((await api.listNodeTypes()).map((s) => [s.type, s]));
  const dir = examplesDir();
  const examples = readdirSync(dir)
    .filter((f) => f.endsWith('.weft.json'))
    .map((f) => {
      const parsed = parseGraph(readFileSync(join(dir, f), 'utf8'));
      if (!parsed.ok) throw new Error(`${f} does not parse: ${parsed.errors[0]?.message}`);
      return { name: f, graph: parsed.graph };
    });
  const figures: MalformedFigures = { graphs: 0, wronglyAccepted: [], crashes: [], perKind: {}, ms: 0 };
  const started = performance.now();
  for (const { name, graph } of examples) {
    // Sanity: each example as shipped is accepted (else "refused" would prove nothing).
    const base = await api.validateGraph(graph, dir);
    if (!base.ok) throw new Error(`${name} is refused as shipped: ${base.errors[0]?.message}`);
    for (const [kind, mutate] of Object.entries(MUTATIONS)) {
      for (let v = 0; v < variants; v++) {
        const r = new Prng(v * 7919 + kind.length * 31 + name.length);
        const mutated = mutate(graph, r, specs);
        if (mutated === null) continue;
        figures.graphs++;
        figures.perKind[kind] = (figures.perKind[kind] ?? 0) + 1;
        try {
          const text = typeof mutated === 'string' ? mutated : JSON.stringify(mutated);
          const parsed = parseGraph(text);
          const ok = parsed.ok ? (await api.validateGraph(parsed.graph, dir)).ok : false;
          if (ok) figures.wronglyAccepted.push({ kind, example: name });
        } catch (e) {
          figures.crashes.push({ kind, example: name, error: String((e as Error).message ?? e).slice(0, 200) });
        }
      }
    }
  }
  figures.ms = performance.now() - started;
  return figures;
}
