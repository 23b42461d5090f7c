import type { DataRecord } from '../lib/dataset.ts';

/** Which source field (JSONL key, CSV column) fills each record field; empty entries are not mapped. */
export interface FieldMapping {
  text: string;
  prompt: string;
  response: string;
  label: string;
}

export const TARGETS = ['text', 'prompt', 'response', 'label'] as const;

/** The source fields a mapping reads, for checking a CSV header up front. */
export function mappedSources(mapping: FieldMapping): string[] {
  return TARGETS.map((t) => mapping[t]).filter((s) => s !== '');
}

/**
 * Builds a record from raw fields. A mapped field that is missing, null, or not a plain value makes the
 * record bad: silently writing an empty text would hide a wrong mapping.
 */
export function mapFields(
  fields: Record<string, unknown>,
  mapping: FieldMapping,
  keepOtherFields: boolean,
): { record: DataRecord } | { error: string } {
  const record: DataRecord = {};
  if (keepOtherFields) {
    const used = new Set(mappedSources(mapping));
    for (const [k, v] of Object.entries(fields)) if (!used.has(k)) record[k] = v;
  }
  for (const target of TARGETS) {
    const source = mapping[target];
    if (source === '') continue;
    const value = fields[source];
    if (value === undefined || value === null) return { error: `missing field "${source}" (mapped to ${target})` };
    if (typeof value === 'object') return { error: `field "${source}" is ${Array.isArray(value) ? 'a list' : 'an object'}, not text` };
    record[target] = String(value);
  }
  return { record };
}
