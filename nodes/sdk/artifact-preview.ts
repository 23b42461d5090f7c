import type { DatasetLayout } from './port-values.ts';

/**
 * What the inspector shows of a node's results: small, plain-JSON excerpts of its output handles
 * and of the tables it wrote, built by the host so the renderer never reads files itself.
 */

/** A table cut to its first rows; totalRows says how many the file held. */
export interface PreviewTable {
  /** The file it came from, e.g. "samples.json". */
  name: string;
  columns: string[];
  rows: Array<Array<string | number | boolean | null>>;
  totalRows: number;
}

export interface DatasetSplitPreview {
  split: string;
  rows: number;
  /** The first records, every string field cut short. */
  first: Array<Record<string, unknown>>;
}

export type OutputPreview =
  | { port: string; kind: 'dataset'; fields: string[]; labels?: string[]; splits: DatasetSplitPreview[]; /** How Dataset from files read its sources. */ layouts?: DatasetLayout[] }
  | { port: string; kind: 'tokenizer'; vocabSize: number; type: string; specialTokens: Record<string, number> }
  | {
      port: string;
      kind: 'model';
      parameters: number;
      layers?: number;
      heads?: number;
      width?: number;
      context?: number;
      vocab?: number;
      causal?: boolean;
      labels?: string[];
    }
  | { port: string; kind: 'text'; chars: number; excerpt: string }
  | { port: string; kind: 'metrics'; values: Record<string, number> }
  | { port: string; kind: 'other'; summary: string };

export interface ArtifactPreview {
  nodeId: string;
  outputs: OutputPreview[];
  tables: PreviewTable[];
  /** Files that could not be shown (too large, malformed, outside the cache), with why. */
  skipped: string[];
}

/** The first records of a data file as Dataset from files would read them, shown before any run. */
export interface DataFilePreview {
  /** The file's name, as errors name it. */
  name: string;
  format: 'txt' | 'jsonl' | 'json' | 'csv';
  /** The layout used: the one chosen, or the one recognised from the first record. */
  layout: DatasetLayout;
  /** Whether the layout was recognised (layout "auto") rather than chosen. */
  detected: boolean;
  /** The keys of the first record (JSONL) or the CSV header, for mapping fields. */
  fieldsFound: string[];
  /** The first records after reading, every string cut short. */
  first: Array<Record<string, unknown>>;
  /** Problems among the lines read, as `file:line: message`. */
  problems: string[];
  /** Whether the file goes on past the rows shown. */
  more: boolean;
}
