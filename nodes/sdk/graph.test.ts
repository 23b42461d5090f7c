import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeRegistry as stubRegistry } from '../../test/fixtures/stub-nodes.ts';
import { nodeRegistry } from '../index.ts';
import { checkGraph, catalogueOf, parseGraph, serializeGraph, type GraphErrorCode } from './index.ts';

const catalogue = catalogueOf(stubRegistry);

/** A valid graph the corpus breaks one way at a time. */
function valid(): any {
  return {
    format: 'weft.graph',
    version: 1,
    meta: { name: 'ok' },
    seed: 3,
    nodes: [
      { id: 'a', type: 'stub.source', version: 1, position: { x: 0, y: 0 }, params: { value: 'x' } },
      { id: 'b', type: 'stub.append', version: 2, position: { x: 100, y: 0 }, params: { suffix: '!' } },
      { id: 'h', type: 'stub.heavy', version: 1, position: { x: 200, y: 0 }, params: {} },
    ],
    edges: [{ id: 'e1', source: 'a', sourceHandle: 'out', target: 'b', targetHandle: 'in' }],
  };
}

function mutate(fn: (g: any) => void): string {
  const g = valid();
  fn(g);
  return JSON.stringify(g);
}

function deep(levels: number): string {
  return mutate((g) => (g.meta.description = 'x')).replace('"x"', '['.repeat(levels) + ']'.repeat(levels));
}

/** [what is wrong, file text, the error code expected, where it must point] */
const corpus: Array<[string, string, GraphErrorCode, { nodeId?: string; edgeId?: string; port?: string; param?: string; line?: number }?]> = [
  ['empty file', '', 'invalid_json'],
  ['unterminated object', '{\n  "format": "weft.graph",\n', 'invalid_json'],
  ['trailing comma', '{"format":"weft.graph",}', 'invalid_json'],
  ['syntax error on line 3', '{\n"format": "weft.graph",\n"version": 1 oops\n}', 'invalid_json', { line: 3 }],
  // Locating the error used to recurse per level and overflow the stack (an uncaught RangeError).
  ['a syntax error 5,000 levels deep', '{"a":' + '['.repeat(5000) + '1,}', 'invalid_json'],
  ['null', 'null', 'schema'],
  ['an array', '[]', 'schema'],
  ['a string', '"graph"', 'schema'],
  ['a number', '42', 'schema'],
  ['no format', mutate((g) => delete g.format), 'unknown_format'],
  ['wrong format', mutate((g) => (g.format = 'weft.graf')), 'unknown_format'],
  ['future version', mutate((g) => (g.version = 2)), 'unsupported_version'],
  ['version 0', mutate((g) => (g.version = 0)), 'unsupported_version'],
  ['version as text', mutate((g) => (g.version = '1')), 'unsupported_version'],
  ['fractional version', mutate((g) => (g.version = 1.5)), 'unsupported_version'],
  ['nodes not a list', mutate((g) => (g.nodes = {})), 'schema'],
  ['edges missing', mutate((g) => delete g.edges), 'schema'],
  ['node without id', mutate((g) => delete g.nodes[1].id), 'schema'],
  ['empty node id', mutate((g) => (g.nodes[0].id = '')), 'schema'],
  ['node id with a space', mutate((g) => (g.nodes[0].id = 'a b')), 'schema', { nodeId: 'a b' }],
  ['node id too long', mutate((g) => (g.nodes[0].id = 'n'.repeat(65))), 'schema'],
  ['node version 0', mutate((g) => (g.nodes[1].version = 0)), 'schema', { nodeId: 'b' }],
  ['node version as text', mutate((g) => (g.nodes[1].version = 'two')), 'schema', { nodeId: 'b' }],
  ['node without position', mutate((g) => delete g.nodes[2].position), 'schema', { nodeId: 'h' }],
  ['position as text', mutate((g) => (g.nodes[0].position.x = '10')), 'schema', { nodeId: 'a' }],
  ['params as a list', mutate((g) => (g.nodes[0].params = [])), 'schema', { nodeId: 'a' }],
  ['unknown top-level key', mutate((g) => (g.extra = 1)), 'schema'],
  ['unknown node key', mutate((g) => (g.nodes[0].code = 'rm -rf /')), 'schema', { nodeId: 'a' }],
  ['edge without targetHandle', mutate((g) => delete g.edges[0].targetHandle), 'schema', { edgeId: 'e1' }],
  ['negative seed', mutate((g) => (g.seed = -1)), 'schema'],
  ['seed too large', mutate((g) => (g.seed = 2 ** 33)), 'schema'],
  ['meta name too long', mutate((g) => (g.meta.name = 'x'.repeat(201))), 'schema'],
  ['__proto__ at the top', mutate((g) => (g.ok = 1)).replace('"ok":1', '"__proto__":{"polluted":true}'), 'forbidden_key'],
  ['__proto__ in params', mutate((g) => (g.nodes[0].params.zz = 1)).replace('"zz":1', '"__proto__":{"polluted":true}'), 'forbidden_key'],
  ['constructor key in a node', mutate((g) => (g.nodes[0].constructor_ = {})).replace('constructor_', 'constructor'), 'forbidden_key'],
  ['prototype key in meta', mutate((g) => (g.meta.prototype = {})), 'forbidden_key'],
  ['10,000-deep nesting', deep(10_000), 'too_deep'],
  ['a 17 MB file', mutate((g) => (g.meta.description = 'x'.repeat(17 * 1024 * 1024))), 'too_large'],
  ['duplicate node id', mutate((g) => (g.nodes[2].id = 'a')), 'duplicate_node_id', { nodeId: 'a' }],
  ['duplicate edge id', mutate((g) => g.edges.push({ ...g.edges[0], target: 'h', targetHandle: 'in' })), 'duplicate_edge_id', { edgeId: 'e1' }],
  ['unknown node type', mutate((g) => (g.nodes[2].type = 'train.magic')), 'unknown_node_type', { nodeId: 'h' }],
  ['node from a newer Weft', mutate((g) => (g.nodes[2].version = 9)), 'unsupported_node_version', { nodeId: 'h' }],
  ['edge to a missing node', mutate((g) => (g.edges[0].target = 'ghost')), 'unknown_node', { edgeId: 'e1' }],
  ['edge from a missing node', mutate((g) => (g.edges[0].source = 'ghost')), 'unknown_node', { edgeId: 'e1' }],
  ['unknown output port', mutate((g) => (g.edges[0].sourceHandle = 'nope')), 'unknown_port', { nodeId: 'a', port: 'nope' }],
  ['unknown input port', mutate((g) => (g.edges[0].targetHandle = 'nope')), 'unknown_port', { nodeId: 'b', port: 'nope' }],
  [
    'Metrics into a Text input',
    mutate((g) => g.edges.push({ id: 'e2', source: 'h', sourceHandle: 'metrics', target: 'b', targetHandle: 'extra' })),
    'port_type_mismatch',
    { nodeId: 'b', port: 'extra', edgeId: 'e2' },
  ],
  ['required input unconnected', mutate((g) => (g.edges = [])), 'missing_input', { nodeId: 'b', port: 'in' }],
  [
    'two edges into one input',
    mutate((g) => {
      g.nodes.push({ id: 'a2', type: 'stub.source', version: 1, position: { x: 0, y: 90 }, params: {} });
      g.edges.push({ id: 'e2', source: 'a2', sourceHandle: 'out', target: 'b', targetHandle: 'in' });
    }),
    'multiple_edges_into_input',
    { nodeId: 'b', port: 'in', edgeId: 'e2' },
  ],
  [
    'a cycle',
    mutate((g) => {
      g.nodes.push({ id: 'c', type: 'stub.append', version: 2, position: { x: 0, y: 90 }, params: {} });
      g.edges.push({ id: 'e2', source: 'b', sourceHandle: 'out', target: 'c', targetHandle: 'in' });
      g.edges.push({ id: 'e3', source: 'c', sourceHandle: 'out', target: 'b', targetHandle: 'extra' });
    }),
    'cycle',
  ],
  ['a self-loop', mutate((g) => g.edges.push({ id: 'e2', source: 'b', sourceHandle: 'out', target: 'b', targetHandle: 'extra' })), 'cycle', { nodeId: 'b' }],
  ['unknown param', mutate((g) => (g.nodes[0].params.colour = 'red')), 'unknown_param', { nodeId: 'a', param: 'colour' }],
  ['text for a number', mutate((g) => (g.nodes[2].params.steps = 'ten')), 'param_type', { nodeId: 'h', param: 'steps' }],
  ['fraction for an integer', mutate((g) => (g.nodes[2].params.steps = 2.5)), 'param_type', { nodeId: 'h', param: 'steps' }],
  ['below the minimum', mutate((g) => (g.nodes[2].params.steps = -4)), 'param_out_of_range', { nodeId: 'h', param: 'steps' }],
  ['above the maximum', mutate((g) => (g.nodes[2].params.steps = 1e9)), 'param_out_of_range', { nodeId: 'h', param: 'steps' }],
  ['not one of the options', mutate((g) => (g.nodes[2].params.mode = 'turbo')), 'param_out_of_range', { nodeId: 'h', param: 'mode' }],
  ['number for text', mutate((g) => (g.nodes[0].params.value = 5)), 'param_type', { nodeId: 'a', param: 'value' }],
  ['object for a number', mutate((g) => (g.nodes[2].params.stepMs = { n: 1 })), 'param_type', { nodeId: 'h', param: 'stepMs' }],
  ['null param', mutate((g) => (g.nodes[2].params.stepMs = null)), 'param_type', { nodeId: 'h', param: 'stepMs' }],
  ['cross-field rule broken', mutate((g) => (g.nodes[2].params = { mode: 'slow', stepMs: 0 })), 'node_invalid', { nodeId: 'h', param: 'stepMs' }],
  ['required file not given', mutate((g) => g.nodes.push({ id: 'r', type: 'stub.read', version: 1, position: { x: 0, y: 0 }, params: {} })), 'param_required', { nodeId: 'r', param: 'file' }],
  ['required file empty', mutate((g) => g.nodes.push({ id: 'r', type: 'stub.read', version: 1, position: { x: 0, y: 0 }, params: { file: ' ' } })), 'param_required', { nodeId: 'r', param: 'file' }],
];

function problems(text: string) {
  const parsed = parseGraph(text);
  return parsed.ok ? checkGraph(parsed.graph, catalogue).errors : parsed.errors;
}

describe('graph format', () => {
  it('accepts a graph file saved with a UTF-8 byte-order mark', () => {
    expect(problems('\uFEFF' + JSON.stringify(valid()))).toEqual([]);
  });

  it('accepts the valid base graph', () => {
    expect(problems(JSON.stringify(valid()))).toEqual([]);
  });

  it(`has a corpus of at least 50 malformed graphs`, () => {
    expect(corpus.length).toBeGreaterThanOrEqual(50);
  });

  it.each(corpus)('rejects %s', (_name, text, code, where) => {
    const errors = problems(text);
    const match = errors.find((e) => e.code === code);
    expect(match, JSON.stringify(errors)).toBeDefined();
    expect(match!.message.length).toBeGreaterThan(5);
    if (where) expect(match).toMatchObject(where);
  });

  it('never lets a __proto__ key pollute prototypes', () => {
    const text = mutate((g) => (g.zz = 1)).replace('"zz":1', '"__proto__":{"polluted":true}');
    parseGraph(text);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('reports every problem at once, not just the first', () => {
    const text = mutate((g) => {
      g.nodes[2].params.steps = -1;
      g.nodes[0].params.colour = 'red';
      g.edges = [];
    });
    expect(problems(text).map((e) => e.code).sort()).toEqual(['missing_input', 'param_out_of_range', 'unknown_param']);
  });

  it('upgrades params saved by an older node version', () => {
    const text = mutate((g) => {
      g.nodes[1].version = 1;
      g.nodes[1].params = { tail: '?' };
    });
    const parsed = parseGraph(text);
    if (!parsed.ok) throw new Error('should parse');
    const checked = checkGraph(parsed.graph, catalogue);
    expect(checked.errors).toEqual([]);
    const b = checked.graph.nodes.find((n) => n.id === 'b')!;
    expect(b.version).toBe(2);
    expect(b.params.suffix).toBe('?');
  });

  it('round-trips load → save → load byte for byte', () => {
    const first = parseGraph(JSON.stringify(valid()));
    if (!first.ok) throw new Error('should parse');
    const saved = serializeGraph(first.graph);
    const again = parseGraph(saved);
    if (!again.ok) throw new Error('should parse');
    expect(serializeGraph(again.graph)).toBe(saved);
    expect(again.graph).toEqual(first.graph);
  });

  it('keeps every example in canonical form, valid against the real node types', () => {
    const dir = join(import.meta.dirname, '../../examples');
    const real = catalogueOf(nodeRegistry);
    const files = readdirSync(dir).filter((f) => f.endsWith('.weft.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      const parsed = parseGraph(text);
      if (!parsed.ok) throw new Error(`${file}: ${JSON.stringify(parsed.errors)}`);
      expect(checkGraph(parsed.graph, real).errors, file).toEqual([]);
      expect(serializeGraph(parsed.graph), file).toBe(text);
    }
  });
});
