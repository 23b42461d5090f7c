/** How dataset records and layouts are shown in the inspector (after a run and before one). */
import { DATASET_LAYOUT_LABELS, type DatasetLayout } from '../../../nodes/sdk/port-values.ts';

type Cell = string | number | boolean | null;

/** A record field as a table cell: a conversation as one "role: content" line per turn, other objects as JSON. */
export function recordCell(value: unknown): Cell {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value) && value.length && value.every((m) => m && typeof m === 'object' && 'role' in m && 'content' in m)) {
    return value.map((m: { role: unknown; content: unknown }) => `${String(m.role)}: ${String(m.content)}`).join('\n');
  }
  if (Array.isArray(value) && value.length && value.every((s) => s && typeof s === 'object' && 'text' in s && 'learn' in s)) {
    // Chat format's segments: the learned pieces marked.
    return value.map((s: { text: unknown; learn: unknown }) => (s.learn ? `[learn] ${String(s.text)}` : String(s.text))).join('');
  }
  return typeof value === 'object' ? JSON.stringify(value) : (value as Cell);
}

/** How the layouts of a dataset's sources are named in the inspector. */
export function layoutsLine(layouts: readonly DatasetLayout[]): string {
  return layouts.map((l) => DATASET_LAYOUT_LABELS[l] ?? l).join(', ');
}

/** The columns of a few records, in first-seen order. */
export function previewColumns(records: ReadonlyArray<Record<string, unknown>>): string[] {
  return [...new Set(records.flatMap((r) => Object.keys(r)))];
}

/** Field params of Dataset from files that name a source field: the inspector suggests the fields found. */
export const FIELD_PARAMS = ['textField', 'promptField', 'responseField', 'labelField', 'messagesField'];
