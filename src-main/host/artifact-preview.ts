/**
 * Builds the inspector's preview of what a node produced, from its output handles and the files in
 * its artifact folder. Every read is capped (a split can be gigabytes) and confined to the cache.
 */
import { open, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ArtifactPreview, OutputPreview, PreviewTable } from '../../nodes/sdk/artifact-preview.ts';
import type { DatasetLayout } from '../../nodes/sdk/port-values.ts';
import type { RunRecord } from '../../nodes/sdk/runs.ts';
import { isWithin } from '../engine/paths.ts';

/** No file is read past this many bytes. */
export const MAX_READ_BYTES = 1024 * 1024;
const FIRST_RECORDS = 10;
const FIELD_CHARS = 300;
const TEXT_CHARS = 2000;
const TABLE_ROWS = 20;
/** A histogram is sent whole (train.rm allows up to 200 bins). */
const HISTOGRAM_ROWS = 200;
const SPLIT_ORDER = ['train', 'validation', 'test'];

export class PreviewError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreviewError';
  }
}

export interface PreviewOptions {
  /** The folder every read must stay inside; defaults to the cache folder holding the artifact folder. */
  root?: string;
  maxBytes?: number;
}

type Cell = string | number | boolean | null;

/** Reads at most maxBytes from the start of a file; says whether the file went on past that. */
async function readHead(path: string, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const buf = Buffer.alloc(Math.min(size, maxBytes));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return { text: buf.subarray(0, bytesRead).toString('utf8'), truncated: size > bytesRead };
  } finally {
    await fh.close();
  }
}

const LIST_ITEMS = 20;

/** Strings cut short, lists (a conversation's turns) cut to their first items, nested objects likewise. */
export function cut(value: unknown, chars: number, depth = 0): unknown {
  if (typeof value === 'string') return value.length > chars ? value.slice(0, chars) + '…' : value;
  if (depth > 2 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.slice(0, LIST_ITEMS).map((v) => cut(v, chars, depth + 1));
  return Object.fromEntries(Object.entries(value).slice(0, LIST_ITEMS).map(([k, v]) => [k, cut(v, chars, depth + 1)]));
}

function cell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return cut(value, FIELD_CHARS) as string;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return cut(JSON.stringify(value), FIELD_CHARS) as string;
}

class Reader {
  constructor(
    private readonly root: string,
    private readonly maxBytes: number,
    readonly skipped: string[],
  ) {}

  /** The file's head, or null (noted in skipped) when it is missing or outside the root. */
  async head(path: string, maxBytes = this.maxBytes): Promise<{ text: string; truncated: boolean } | null> {
    let real: string;
    try {
      // Resolving links first means a link inside the cache cannot point a read elsewhere.
      real = await realpath(path);
    } catch {
      return null;
    }
    if (!isWithin(real, this.root)) {
      this.skipped.push(`${basename(path)}: outside the workspace cache`);
      return null;
    }
    return readHead(real, Math.min(maxBytes, this.maxBytes));
  }

  /** A whole JSON file, if it fits under the cap. */
  async json(path: string): Promise<unknown> {
    const h = await this.head(path);
    if (!h) return undefined;
    if (h.truncated) {
      this.skipped.push(`${basename(path)}: larger than ${this.maxBytes} bytes`);
      return undefined;
    }
    try {
      return JSON.parse(h.text) as unknown;
    } catch {
      this.skipped.push(`${basename(path)}: not valid JSON`);
      return undefined;
    }
  }

  /** The first n records of a JSON Lines file, from its head only. */
  async jsonl(path: string, n: number): Promise<Array<Record<string, unknown>>> {
    const h = await this.head(path);
    if (!h) return [];
    const lines = h.text.split('\n');
    // The last line of a cut head is most likely partial.
    if (h.truncated) lines.pop();
    const out: Array<Record<string, unknown>> = [];
    for (const line of lines) {
      if (out.length >= n) break;
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as Record<string, unknown>;
        out.push(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cut(v, FIELD_CHARS)])));
      } catch {
        this.skipped.push(`${basename(path)}: a line is not valid JSON`);
        break;
      }
    }
    return out;
  }
}

async function previewOutput(port: string, value: unknown, reader: Reader): Promise<OutputPreview> {
  const v = (value ?? {}) as Record<string, unknown>;
  switch (v.kind) {
    // Preference pairs are JSONL splits too: shown as a dataset of prompt/chosen/rejected records.
    case 'preferences':
    case 'dataset': {
      const splits = (v.splits ?? {}) as Record<string, { path: string; rows: number } | undefined>;
      const names = Object.keys(splits).sort((a, b) => SPLIT_ORDER.indexOf(a) - SPLIT_ORDER.indexOf(b));
      const out = [];
      for (const split of names) {
        const s = splits[split];
        if (!s) continue;
        out.push({ split, rows: s.rows, first: await reader.jsonl(s.path, FIRST_RECORDS) });
      }
      return {
        port,
        kind: 'dataset',
        fields: (v.fields as string[]) ?? (v.kind === 'preferences' ? ['prompt', 'chosen', 'rejected'] : []),
        ...(v.labels ? { labels: v.labels as string[] } : {}),
        ...(Array.isArray(v.layouts) ? { layouts: v.layouts as DatasetLayout[] } : {}),
        splits: out,
      };
    }
    case 'tokenizer':
      return { port, kind: 'tokenizer', vocabSize: Number(v.vocabSize), type: String(v.type), specialTokens: (v.specialTokens as Record<string, number>) ?? {} };
    case 'model': {
      const c = (v.config ?? {}) as Record<string, unknown>;
      return {
        port,
        kind: 'model',
        parameters: Number(v.parameters),
        layers: c.layers as number | undefined,
        heads: c.heads as number | undefined,
        width: c.width as number | undefined,
        context: c.contextLength as number | undefined,
        vocab: c.vocabSize as number | undefined,
        causal: c.causal as boolean | undefined,
        ...(Array.isArray(c.labels) && c.labels.length ? { labels: c.labels as string[] } : {}),
      };
    }
    case 'text': {
      // 4 bytes per character at most in UTF-8: this head always holds the first 2,000 whole characters.
      const h = typeof v.path === 'string' ? await reader.head(v.path, 4 * TEXT_CHARS) : null;
      return { port, kind: 'text', chars: Number(v.chars ?? 0), excerpt: h ? h.text.slice(0, TEXT_CHARS) : '' };
    }
    case 'metrics':
      return { port, kind: 'metrics', values: (v.values as Record<string, number>) ?? {} };
    default:
      return { port, kind: 'other', summary: String(JSON.stringify(value) ?? '').slice(0, 200) };
  }
}

/** samples.json: rows of objects (eval) or plain strings (generate); rollouts.json (train.rl): rows of objects. */
function samplesTable(data: unknown, name = 'samples.json'): PreviewTable | null {
  if (!Array.isArray(data)) return null;
  const rows = data.slice(0, TABLE_ROWS);
  if (rows.every((r) => typeof r === 'string')) return { name, columns: ['text'], rows: rows.map((r) => [cell(r)]), totalRows: data.length };
  const columns = [...new Set(rows.flatMap((r) => (r && typeof r === 'object' ? Object.keys(r as object) : [])))];
  return { name, columns, rows: rows.map((r) => columns.map((c) => cell((r as Record<string, unknown>)?.[c]))), totalRows: data.length };
}

/** confusion.json: {labels, confusion[actual][predicted]}. */
function confusionTable(data: unknown): PreviewTable | null {
  const d = data as { labels?: unknown; confusion?: unknown } | undefined;
  if (!d || !Array.isArray(d.labels) || !Array.isArray(d.confusion)) return null;
  const labels = d.labels.map(String);
  return {
    name: 'confusion.json',
    columns: ['actual \\ predicted', ...labels],
    rows: (d.confusion as unknown[]).map((row, i) => [labels[i] ?? String(i), ...(Array.isArray(row) ? row.map(cell) : [])]),
    totalRows: labels.length,
  };
}

/** A small CSV with a header line and no quoted commas (what text.stats writes). */
function csvTable(name: string, text: string, truncated: boolean, maxRows = TABLE_ROWS): PreviewTable {
  const lines = text.split('\n');
  if (truncated) lines.pop();
  const [header = '', ...body] = lines.filter((l) => l.trim());
  const toCell = (s: string): Cell => (s !== '' && Number.isFinite(Number(s)) ? Number(s) : s);
  return {
    name,
    columns: header.split(','),
    rows: body.slice(0, maxRows).map((l) => l.split(',').map(toCell)),
    totalRows: body.length,
  };
}

/** The preview of one node of a run. Throws PreviewError when the run has no such node. */
export async function previewArtifacts(record: RunRecord, nodeId: string, options: PreviewOptions = {}): Promise<ArtifactPreview> {
  // Own keys only: an id such as "__proto__" is not a node.
  const node = Object.hasOwn(record.nodes, nodeId) ? record.nodes[nodeId] : undefined;
  if (!node) throw new PreviewError(`run ${record.id} has no node "${nodeId}"`);
  const preview: ArtifactPreview = { nodeId, outputs: [], tables: [], skipped: [] };
  if (!node.artifactDir) {
    for (const [port, value] of Object.entries(node.outputs ?? {})) preview.outputs.push(await previewOutput(port, value, new Reader('/nonexistent-root', 0, preview.skipped)));
    return preview;
  }
  // Artifact folders are cache/<signature>/run-<id>: the cache folder is two levels up.
  let root = options.root ?? dirname(dirname(node.artifactDir));
  try {
    root = await realpath(root);
  } catch {
    return preview;
  }
  const reader = new Reader(root, options.maxBytes ?? MAX_READ_BYTES, preview.skipped);
  for (const [port, value] of Object.entries(node.outputs ?? {})) preview.outputs.push(await previewOutput(port, value, reader));

  const dir = node.artifactDir;
  const samples = samplesTable(await reader.json(join(dir, 'samples.json')));
  if (samples) preview.tables.push(samples);
  const rollouts = samplesTable(await reader.json(join(dir, 'rollouts.json')), 'rollouts.json');
  if (rollouts) preview.tables.push(rollouts);
  const confusion = confusionTable(await reader.json(join(dir, 'confusion.json')));
  if (confusion) preview.tables.push(confusion);
  const topWords = await reader.head(join(dir, 'top-words.csv'));
  if (topWords) preview.tables.push(csvTable('top-words.csv', topWords.text, topWords.truncated));
  // Training curves (pretrain, continued training) and per-matrix sparsity (prune).
  for (const name of ['history.csv', 'sparsity.csv']) {
    const csv = await reader.head(join(dir, name));
    if (csv) preview.tables.push(csvTable(name, csv.text, csv.truncated));
  }
  // A reward model's chosen-versus-rejected reward histogram (train.rm): every bin, since the inspector draws it.
  const histogram = await reader.head(join(dir, 'reward-histogram.csv'));
  if (histogram) preview.tables.push(csvTable('reward-histogram.csv', histogram.text, histogram.truncated, HISTOGRAM_ROWS));
  return preview;
}
