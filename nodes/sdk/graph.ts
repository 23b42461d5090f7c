import { parse as parseLenient, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import type { GraphError } from './errors.ts';
import { devicePreferenceSchema } from './device.ts';

export const GRAPH_FORMAT = 'weft.graph';
export const GRAPH_VERSION = 1;
/** Larger graph files are refused before parsing: 300 nodes take well under 1 MB. */
export { MAX_GRAPH_BYTES, MAX_MESSAGE_BYTES } from './limits.ts';
import { MAX_GRAPH_BYTES } from './limits.ts';
/** A real graph nests 5 levels deep; anything far deeper is hostile or broken. */
export const MAX_GRAPH_DEPTH = 64;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const idSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'use only letters, digits, "-" and "_"');

const positionSchema = z.strictObject({ x: z.number().finite(), y: z.number().finite() });

const nodeSchema = z.strictObject({
  id: idSchema,
  type: z.string().min(1).max(128),
  version: z.number().int().min(1),
  label: z.string().max(200).optional(),
  position: positionSchema,
  params: z.record(z.string(), z.unknown()),
  /** Overrides the graph's device for this node; absent: the graph's. */
  device: devicePreferenceSchema.optional(),
});

const edgeSchema = z.strictObject({
  id: z.string().min(1).max(200),
  source: z.string().min(1),
  sourceHandle: z.string().min(1),
  target: z.string().min(1),
  targetHandle: z.string().min(1),
});

const metaSchema = z.strictObject({
  name: z.string().max(200).optional(),
  description: z.string().max(10_000).optional(),
  createdWith: z.string().max(100).optional(),
});

export const graphSchema = z.strictObject({
  format: z.literal(GRAPH_FORMAT),
  // Checked (and older versions migrated) before the schema applies; see parseGraphValue.
  version: z.number().int().positive(),
  meta: metaSchema.default({}),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
  /** Where tensor work runs: auto (best rung, a real GPU first), gpu, cpu. Absent: auto. */
  device: devicePreferenceSchema.optional(),
  nodes: z.array(nodeSchema).max(5000),
  edges: z.array(edgeSchema).max(20000),
});

export type Graph = z.output<typeof graphSchema>;
export type GraphNode = Graph['nodes'][number];
export type GraphEdge = Graph['edges'][number];

/** A graph file format: its current version and the upgrade from each older version to the next. */
export interface GraphFormat {
  version: number;
  migrations: Readonly<Record<number, (raw: Record<string, unknown>) => Record<string, unknown>>>;
}

/** The format this Weft writes. Version 1 is the first, so there is nothing to upgrade yet. */
export const CURRENT_GRAPH_FORMAT: GraphFormat = { version: GRAPH_VERSION, migrations: {} };

export type ParseResult = { ok: true; graph: Graph } | { ok: false; errors: GraphError[] };

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lastBreak = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lastBreak = i;
    }
  }
  return { line, column: offset - lastBreak };
}

/** Walks parsed JSON without recursion, refusing absurd depth and prototype-polluting keys. */
function scanHostile(value: unknown): GraphError | null {
  const stack: Array<{ v: unknown; depth: number; path: string }> = [{ v: value, depth: 0, path: '' }];
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > MAX_GRAPH_DEPTH) {
      return { code: 'too_deep', message: `nesting deeper than ${MAX_GRAPH_DEPTH} levels`, path };
    }
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ v: item, depth: depth + 1, path: `${path}[${i}]` }));
    } else {
      for (const key of Object.keys(v)) {
        if (FORBIDDEN_KEYS.has(key)) {
          return { code: 'forbidden_key', message: `the key "${key}" is not allowed`, path: path ? `${path}.${key}` : key };
        }
        stack.push({ v: (v as Record<string, unknown>)[key], depth: depth + 1, path: path ? `${path}.${key}` : key });
      }
    }
  }
  return null;
}

function zodPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

/** Parses graph file text: size, syntax, hostile shapes, format version (migrating older ones), structure. */
export function parseGraph(source: string, fileFormat: GraphFormat = CURRENT_GRAPH_FORMAT): ParseResult {
  // Editors on Windows often save UTF-8 with a byte-order mark: it is not part of the JSON.
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  if (text.length > MAX_GRAPH_BYTES) {
    return { ok: false, errors: [{ code: 'too_large', message: `graph files are limited to ${MAX_GRAPH_BYTES / 1024 / 1024} MB` }] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    // V8 often omits where the syntax broke; a second, error-collecting parse finds the spot.
    const found: ParseError[] = [];
    try {
      parseLenient(text, found, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    } catch {
      // The locating parser recurses per level: nesting thousands deep overflows its stack. V8's own
      // message then gives the place (as "position N"), or there is none to give.
      found.length = 0;
    }
    const first = found[0];
    const v8Position = /position (\d+)/.exec((err as Error).message);
    const where = first ? lineAndColumn(text, first.offset) : v8Position ? lineAndColumn(text, Number(v8Position[1])) : undefined;
    const reason = first ? printParseErrorCode(first.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() : (err as Error).message.replace(/ in JSON at position \d+.*$/, '');
    return { ok: false, errors: [{ code: 'invalid_json', message: `not valid JSON: ${reason}`, ...where }] };
  }
  return parseGraphValue(raw, fileFormat);
}

/** Validates an already-parsed value (from JSON or an API call) as a graph. */
export function parseGraphValue(raw: unknown, fileFormat: GraphFormat = CURRENT_GRAPH_FORMAT): ParseResult {
  const hostile = scanHostile(raw);
  if (hostile) return { ok: false, errors: [hostile] };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: [{ code: 'schema', message: 'a graph file must hold a JSON object' }] };
  }
  let obj = raw as Record<string, unknown>;
  if (obj.format !== GRAPH_FORMAT) {
    return { ok: false, errors: [{ code: 'unknown_format', message: `not a Weft graph: "format" must be "${GRAPH_FORMAT}"`, path: 'format' }] };
  }
  if (typeof obj.version !== 'number' || !Number.isInteger(obj.version) || obj.version < 1 || obj.version > fileFormat.version) {
    return {
      ok: false,
      errors: [{ code: 'unsupported_version', message: `graph format version ${String(obj.version)} is not supported; this Weft reads versions 1 to ${fileFormat.version}`, path: 'version' }],
    };
  }
  for (let v = obj.version; v < fileFormat.version; v++) {
    const up = fileFormat.migrations[v];
    if (!up) return { ok: false, errors: [{ code: 'unsupported_version', message: `no migration from format version ${v}` }] };
    obj = { ...up(obj), version: v + 1 };
  }
  const result = graphSchema.safeParse(obj);
  if (!result.success) {
    const nodes = Array.isArray(obj.nodes) ? obj.nodes : [];
    const edges = Array.isArray(obj.edges) ? obj.edges : [];
    return {
      ok: false,
      errors: result.error.issues.map((issue) => {
        const path = zodPath(issue.path);
        const error: GraphError = { code: 'schema', message: issue.message, path };
        const [section, index] = issue.path;
        const list = section === 'nodes' ? nodes : section === 'edges' ? edges : null;
        const item = list && typeof index === 'number' ? list[index] : undefined;
        const id = item && typeof item === 'object' && typeof (item as { id?: unknown }).id === 'string' ? (item as { id: string }).id : undefined;
        if (id && section === 'nodes') error.nodeId = id;
        if (id && section === 'edges') error.edgeId = id;
        return error;
      }),
    };
  }
  return { ok: true, graph: result.data };
}

/**
 * Serialises with a fixed key order and two-space indent, so saving a loaded graph is
 * byte-stable and diffs stay small.
 */
export function serializeGraph(graph: Graph): string {
  const ordered = {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    meta: graph.meta,
    seed: graph.seed,
    // Written only when chosen, so graphs without a choice stay byte-identical to older files.
    ...(graph.device !== undefined ? { device: graph.device } : {}),
    nodes: graph.nodes.map((n) => ({
      id: n.id,
      type: n.type,
      version: n.version,
      ...(n.label !== undefined ? { label: n.label } : {}),
      position: { x: n.position.x, y: n.position.y },
      params: n.params,
      ...(n.device !== undefined ? { device: n.device } : {}),
    })),
    edges: graph.edges.map((e) => ({
      id: e.id,
      source: e.source,
      sourceHandle: e.sourceHandle,
      target: e.target,
      targetHandle: e.targetHandle,
    })),
  };
  return JSON.stringify(ordered, null, 2) + '\n';
}

export function emptyGraph(name = 'Untitled'): Graph {
  return { format: GRAPH_FORMAT, version: GRAPH_VERSION, meta: { name }, seed: 0, nodes: [], edges: [] };
}
