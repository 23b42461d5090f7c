/** Param specs: the data a form is generated from, and what a graph's params are checked against. */
export type ParamKind = 'number' | 'integer' | 'string' | 'text' | 'boolean' | 'enum' | 'file' | 'folder';

interface ParamBase {
  label?: string;
  help?: string;
  /** When true the param must be given (no default makes sense, e.g. a file to load). */
  required?: boolean;
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
