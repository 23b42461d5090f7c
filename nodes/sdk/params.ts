/** Param specs: the data a form is generated from, and what a graph's params are checked against. */
export type ParamKind = 'number' | 'integer' | 'string' | 'text' | 'boolean' | 'enum' | 'file' | 'folder';

/**
 * When a setting applies, as data (it crosses to the editor as JSON): another param's value, whether
 * an input port is connected, or a combination. A setting that does not apply is hidden in the
 * inspector; its value stays in the graph.
 */
export type ParamCondition =
  | { param: string; is: readonly ParamValue[] }
  | { param: string; not: readonly ParamValue[] }
  /** A file param naming one of these kinds of file (".csv"), case ignored. */
  | { param: string; endsWith: readonly string[] }
  | { connected: string }
  | { notConnected: string }
  | { any: readonly ParamCondition[] }
  | { all: readonly ParamCondition[] };

interface ParamBase {
  label?: string;
  /** One or two plain sentences: what the setting does, jargon explained. */
  help?: string;
  /** When true the param must be given (no default makes sense, e.g. a file to load). */
  required?: boolean;
  /** Absent: always applies. */
  when?: ParamCondition;
}

export interface NumberParam extends ParamBase {
  kind: 'number' | 'integer';
  default?: number;
  min?: number;
  max?: number;
  step?: number;
}
export interface StringParam extends ParamBase {
  kind: 'string' | 'text';
  default?: string;
  maxLength?: number;
  /** A regular expression (source) the value must match in full. */
  pattern?: string;
}
export interface BooleanParam extends ParamBase {
  kind: 'boolean';
  default?: boolean;
}
export interface EnumParam extends ParamBase {
  kind: 'enum';
  options: readonly string[];
  default?: string;
}
export interface PathParam extends ParamBase {
  kind: 'file' | 'folder';
  default?: string;
  /** Accepted file extensions, with the dot (".txt"). */
  extensions?: readonly string[];
}

export type ParamSpec = NumberParam | StringParam | BooleanParam | EnumParam | PathParam;
export type ParamValue = number | string | boolean;
export type ParamValues = Record<string, ParamValue>;

export interface ParamProblem {
  code: 'param_type' | 'param_out_of_range' | 'param_required' | 'param_invalid';
  message: string;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Checks one value against its spec; returns a problem or null. */
export function checkParamValue(spec: ParamSpec, value: unknown): ParamProblem | null {
  switch (spec.kind) {
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return { code: 'param_type', message: `must be a ${spec.kind === 'integer' ? 'whole number' : 'number'}, got ${describe(value)}` };
      }
      if (spec.kind === 'integer' && !Number.isInteger(value)) {
        return { code: 'param_type', message: `must be a whole number, got ${value}` };
      }
      if (spec.min !== undefined && value < spec.min) {
        return { code: 'param_out_of_range', message: `must be at least ${spec.min}, got ${value}` };
      }
      if (spec.max !== undefined && value > spec.max) {
        return { code: 'param_out_of_range', message: `must be at most ${spec.max}, got ${value}` };
      }
      return null;
    }
    case 'string':
    case 'text':
    case 'file':
    case 'folder': {
      if (typeof value !== 'string') return { code: 'param_type', message: `must be text, got ${describe(value)}` };
      if (spec.required && value.trim() === '') return { code: 'param_required', message: 'is required' };
      if ((spec.kind === 'string' || spec.kind === 'text') && spec.maxLength !== undefined && value.length > spec.maxLength) {
        return { code: 'param_out_of_range', message: `must be at most ${spec.maxLength} characters, got ${value.length}` };
      }
      if ((spec.kind === 'string' || spec.kind === 'text') && spec.pattern && !new RegExp(`^(?:${spec.pattern})$`).test(value)) {
        return { code: 'param_invalid', message: `does not match the expected form /${spec.pattern}/` };
      }
      if ((spec.kind === 'file') && spec.extensions && value !== '' && !spec.extensions.some((ext) => value.toLowerCase().endsWith(ext))) {
        return { code: 'param_invalid', message: `must be a ${spec.extensions.join(', ')} file, got ${describe(value)}` };
      }
      return null;
    }
    case 'boolean':
      return typeof value === 'boolean' ? null : { code: 'param_type', message: `must be true or false, got ${describe(value)}` };
    case 'enum':
      if (typeof value !== 'string') return { code: 'param_type', message: `must be one of ${spec.options.join(', ')}, got ${describe(value)}` };
      return spec.options.includes(value) ? null : { code: 'param_out_of_range', message: `must be one of ${spec.options.join(', ')}, got ${describe(value)}` };
  }
}

/** The value a param has when the graph does not set it. */
export function defaultValue(spec: ParamSpec): ParamValue | undefined {
  if (spec.default !== undefined) return spec.default;
  switch (spec.kind) {
    case 'boolean':
      return false;
    case 'enum':
      return spec.options[0];
    case 'string':
    case 'text':
      return '';
    default:
      return undefined;
  }
}

/** Parses a command-line string ("0.1", "true", "cosine") into the value the spec expects. */
export function parseParamString(spec: ParamSpec, raw: string): ParamValue {
  switch (spec.kind) {
    case 'number':
    case 'integer': {
      const n = raw.trim() === '' ? Number.NaN : Number(raw);
      return Number.isNaN(n) ? raw : n;
    }
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      return raw;
    default:
      return raw;
  }
}

/** Whether a condition holds for a node's params (defaults filled in) and its connected input ports. */
export function conditionHolds(c: ParamCondition, values: Readonly<Record<string, unknown>>, connected: readonly string[]): boolean {
  if ('any' in c) return c.any.some((x) => conditionHolds(x, values, connected));
  if ('all' in c) return c.all.every((x) => conditionHolds(x, values, connected));
  if ('connected' in c) return connected.includes(c.connected);
  if ('notConnected' in c) return !connected.includes(c.notConnected);
  const v = values[c.param];
  if ('endsWith' in c) return typeof v === 'string' && c.endsWith.some((ext) => v.toLowerCase().endsWith(ext));
  return 'is' in c ? c.is.includes(v as ParamValue) : !c.not.includes(v as ParamValue);
}

/** Each param's value, or its default when the graph does not set it. */
export function withDefaults(specs: Readonly<Record<string, ParamSpec>>, params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) out[name] = params[name] === undefined ? defaultValue(spec) : params[name];
  return out;
}

/** Whether a param applies to a node with these params and connected inputs (see ParamBase.when). */
export function paramApplies(specs: Readonly<Record<string, ParamSpec>>, name: string, params: Readonly<Record<string, unknown>>, connected: readonly string[]): boolean {
  const when = specs[name]?.when;
  return !when || conditionHolds(when, withDefaults(specs, params), connected);
}

/** What a param is called to people: its label, else its name in words ("maxTokens" → "Max tokens"). */
export function paramLabel(name: string, spec?: ParamSpec): string {
  if (spec?.label) return spec.label;
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}

function quoteValue(v: ParamValue): string {
  return typeof v === 'string' ? `"${v}"` : String(v);
}

/** A condition in words, with the params' labels: 'Method is "lora"', 'no scheduler is connected'. */
export function describeCondition(c: ParamCondition, specs: Readonly<Record<string, ParamSpec>>): string {
  if ('any' in c) return c.any.map((x) => describeCondition(x, specs)).join(' or ');
  if ('all' in c) return c.all.map((x) => describeCondition(x, specs)).join(' and ');
  if ('connected' in c) return `${c.connected} is connected`;
  if ('notConnected' in c) return `no ${c.notConnected} is connected`;
  const label = paramLabel(c.param, specs[c.param]);
  if ('endsWith' in c) return `${label} is a ${c.endsWith.join(' or ')} file`;
  const values = ('is' in c ? c.is : c.not).map(quoteValue);
  const list = values.length === 1 ? values[0]! : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
  return 'is' in c ? `${label} is ${list}` : `${label} is not ${list}`;
}
