import type { NodeSpec } from '../../../nodes/sdk/define-node.ts';
import { loadedModelShape, type LoadedModelShape } from '../../../nodes/sdk/model-shape.ts';
import { paramApplies, withDefaults } from '../../../nodes/sdk/params.ts';
import type { RunRecord } from '../../../nodes/sdk/runs.ts';
import { formatMetric } from './run-view.ts';

/** One line of Compare: what, and its value in each run ("—" where the run has no such thing). */
export type CompareRow = [key: string, a: string, b: string];

const NOT_USED = 'not used';

/**
 * Each run's settings as they took effect: defaults filled in, settings that did not apply marked
 * "not used", and a loaded model's real shape (from the model its node produced, which the record
 * keeps) instead of the new-model settings it ignored.
 */
function effectiveSettings(record: RunRecord, specs: ReadonlyMap<string, NodeSpec>): Map<string, string> {
  const out = new Map<string, string>();
  for (const node of record.graph.nodes) {
    const spec = specs.get(node.type);
    const connected = record.graph.edges.filter((e) => e.target === node.id).map((e) => e.targetHandle);
    const values = spec ? withDefaults(spec.params, node.params) : node.params;
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) continue;
      const applies = !spec || paramApplies(spec.params, name, node.params, connected);
      out.set(`${node.id}.${name}`, applies ? JSON.stringify(value) : NOT_USED);
    }
    const shape = node.type === 'model' ? loadedModelShape(record.nodes[node.id]?.outputs?.model) : null;
    if (shape) for (const [k, v] of Object.entries(shape) as Array<[keyof LoadedModelShape, unknown]>) out.set(`${node.id}.${k}`, JSON.stringify(v));
  }
  return out;
}

/** The settings of two runs side by side, the seed first. */
export function compareSettings(a: RunRecord, b: RunRecord, specs: ReadonlyMap<string, NodeSpec>): CompareRow[] {
  const sa = effectiveSettings(a, specs);
  const sb = effectiveSettings(b, specs);
  const rows: CompareRow[] = [['seed', String(a.seed), String(b.seed)]];
  for (const key of [...new Set([...sa.keys(), ...sb.keys()])].sort()) rows.push([key, sa.get(key) ?? '—', sb.get(key) ?? '—']);
  return rows;
}

/** Each node's final figures in the two runs, as numbers. */
export function compareResults(a: RunRecord, b: RunRecord): CompareRow[] {
  const figures = (r: RunRecord) => new Map(Object.entries(r.nodes).flatMap(([id, n]) => Object.entries(n.metrics ?? {}).map(([m, v]) => [`${id}.${m}`, formatMetric(v)] as const)));
  const fa = figures(a);
  const fb = figures(b);
  return [...new Set([...fa.keys(), ...fb.keys()])].sort().map((key) => [key, fa.get(key) ?? '—', fb.get(key) ?? '—']);
}

export function compareRows(a: RunRecord, b: RunRecord, specs: ReadonlyMap<string, NodeSpec>): { settings: CompareRow[]; results: CompareRow[] } {
  return { settings: compareSettings(a, b, specs), results: compareResults(a, b) };
}
