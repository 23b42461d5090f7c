import type { DataRecord } from '../lib/dataset.ts';

/**
 * What a format reader yields, one per source record: raw fields still to be mapped (JSONL, CSV),
 * a finished record (.txt, where there is nothing to map), or a problem with its line number.
 */
export type SourceItem =
  | { line: number; fields: Record<string, unknown> }
  | { line: number; record: DataRecord }
  | { line: number; error: string; /** The reader could not go on: every line from here to the end is unread. */ endsFile?: true };
