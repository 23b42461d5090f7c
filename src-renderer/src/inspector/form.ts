import type { NodeSpec } from '../../../nodes/sdk/define-node.ts';
import { checkParamValue, conditionHolds, paramLabel, defaultValue, describeCondition, withDefaults, type ParamSpec, type ParamValue } from '../../../nodes/sdk/params.ts';

/** One generated form field: what to draw and what is wrong with the value, if anything. */
export interface Field {
  name: string;
  label: string;
  spec: ParamSpec;
  control: 'number' | 'text' | 'textarea' | 'checkbox' | 'select' | 'path';
  value: ParamValue | undefined;
  /** Set when the graph's value breaks the spec (e.g. a file saved by hand). */
  problem: string | null;
  hint: string | null;
  /**
   * Why the setting does not apply with the node's other settings and connections ('used when
   * Method is "lora"'); null when it applies. Such a field is hidden, its value kept in the graph.
   */
  notApplying: string | null;
}

/** Range and kind, said in plain words under the field. */
export function hintFor(spec: ParamSpec): string | null {
  switch (spec.kind) {
    case 'number':
    case 'integer': {
      const what = spec.kind === 'integer' ? 'Whole number' : 'Number';
      if (spec.min !== undefined && spec.max !== undefined) return `${what} from ${spec.min} to ${spec.max}`;
      if (spec.min !== undefined) return `${what}, at least ${spec.min}`;
      if (spec.max !== undefined) return `${what}, at most ${spec.max}`;
      return what;
    }
    case 'file':
      return spec.extensions ? `A ${spec.extensions.join(', ')} file` : 'A file';
    case 'folder':
      return 'A folder';
    default:
      return null;
  }
}

const CONTROL: Record<ParamSpec['kind'], Field['control']> = {
  number: 'number',
  integer: 'number',
  string: 'text',
  text: 'textarea',
  boolean: 'checkbox',
  enum: 'select',
  file: 'path',
  folder: 'path',
};

/** The form of a node: one field per param. `connected` names its connected input ports. */
export function fieldsFor(spec: NodeSpec, params: Record<string, unknown>, connected: readonly string[] = []): Field[] {
  const values = withDefaults(spec.params, params);
  return Object.entries(spec.params).map(([name, p]) => {
    const given = params[name];
    const value = (given === undefined ? defaultValue(p) : given) as ParamValue | undefined;
    const problem = value === undefined ? (p.required ? 'is required' : null) : checkParamValue(p, value)?.message ?? null;
    const notApplying = p.when && !conditionHolds(p.when, values, connected) ? `Used only when ${describeCondition(p.when, spec.params)}.` : null;
    return { name, label: paramLabel(name, p), spec: p, control: CONTROL[p.kind], value, problem, hint: hintFor(p), notApplying };
  });
}

/** The input ports of a node that have an edge into them. */
export function connectedInputs(edges: ReadonlyArray<{ target: string; targetHandle: string }>, nodeId: string): string[] {
  return [...new Set(edges.filter((e) => e.target === nodeId).map((e) => e.targetHandle))];
}

/**
 * Turns what the user typed into a param value. Invalid input is reported, never applied: the
 * graph keeps its last valid value until the field is fixed.
 */
export function parseInput(spec: ParamSpec, raw: string | boolean): { ok: true; value: ParamValue } | { ok: false; problem: string } {
  let value: ParamValue;
  if (spec.kind === 'boolean') value = raw === true || raw === 'true';
  else if (spec.kind === 'number' || spec.kind === 'integer') {
    const text = String(raw).trim();
    if (text === '') return { ok: false, problem: spec.kind === 'integer' ? 'Enter a whole number' : 'Enter a number' };
    const n = Number(text);
    if (Number.isNaN(n)) return { ok: false, problem: `"${text}" is not a number` };
    value = n;
  } else value = String(raw);
  const problem = checkParamValue(spec, value);
  if (problem) return { ok: false, problem: problem.message.charAt(0).toUpperCase() + problem.message.slice(1) };
  return { ok: true, value };
}
