/**
 * The first records of one data file, read as Dataset from files would read them with the given
 * params: for the inspector, before any run. Reads only as far as it needs (a few dozen lines).
 */
import { createReadStream } from 'node:fs';
import { TEXT_ENCODINGS, decodedStream, type TextEncoding } from '../lib/text-decode.ts';
import { open } from 'node:fs/promises';
import type { DataFilePreview, DatasetLayout } from '../sdk/index.ts';
import type { DataRecord } from '../lib/dataset.ts';
import { detectLayout, normalise, reportedLayout, requiredFields, LAYOUT_OPTIONS, type LayoutParam, type SourceLayout } from './layouts.ts';
import { listSources, unboundedLines } from './sources.ts';
import { readJsonl } from './read-jsonl.ts';
import { readJson } from './read-json.ts';
import { readCsv, type CsvDelimiter } from './read-csv.ts';
import { readTxt, type TxtMode } from './read-txt.ts';
import type { SourceItem } from './items.ts';

export interface PreviewParams {
  layout: LayoutParam;
  messagesField: string;
  textField: string;
  promptField: string;
  responseField: string;
  labelField: string;
  keepOtherFields: boolean;
  csvHeader: boolean;
  csvDelimiter: CsvDelimiter;
  txtRecords: TxtMode;
  encoding: TextEncoding;
}

const DEFAULTS: PreviewParams = {
  layout: 'auto',
  messagesField: '',
  textField: 'text',
  promptField: '',
  responseField: '',
  labelField: '',
  keepOtherFields: false,
  csvHeader: true,
  csvDelimiter: 'comma',
  txtRecords: 'line',
  encoding: 'auto',
};

const ROWS = 8;
/** Lines looked at past the rows shown, so a file of bad lines still ends the preview quickly. */
const MAX_ITEMS = 50;
const FIELD_CHARS = 300;
const WHOLE_FILE_HEAD = 64 * 1024;

function cut(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > FIELD_CHARS ? value.slice(0, FIELD_CHARS) + '…' : value;
  if (depth > 2 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => cut(v, depth + 1));
  return Object.fromEntries(Object.entries(value).slice(0, 20).map(([k, v]) => [k, cut(v, depth + 1)]));
}

/** Params from the editor, each checked, falling back to the node's defaults. */
export function previewParams(raw: Record<string, unknown> = {}): PreviewParams {
  const out = { ...DEFAULTS };
  const str = (k: keyof PreviewParams) => (typeof raw[k] === 'string' ? (raw[k] as string) : (DEFAULTS[k] as string));
  out.layout = (LAYOUT_OPTIONS as readonly string[]).includes(raw.layout as string) ? (raw.layout as LayoutParam) : 'auto';
  out.messagesField = str('messagesField').trim();
  out.textField = str('textField');
  out.promptField = str('promptField');
  out.responseField = str('responseField');
  out.labelField = str('labelField');
  out.keepOtherFields = raw.keepOtherFields === true;
  out.csvHeader = raw.csvHeader !== false;
  out.csvDelimiter = ['comma', 'semicolon', 'tab'].includes(raw.csvDelimiter as string) ? (raw.csvDelimiter as CsvDelimiter) : 'comma';
  out.txtRecords = ['line', 'paragraph', 'file'].includes(raw.txtRecords as string) ? (raw.txtRecords as TxtMode) : 'line';
  out.encoding = TEXT_ENCODINGS.includes(raw.encoding as TextEncoding) ? (raw.encoding as TextEncoding) : 'auto';
  return out;
}

async function* wholeFileHead(path: string): AsyncGenerator<SourceItem> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(WHOLE_FILE_HEAD);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    if (text.trim()) yield { line: 1, record: { text } };
  } finally {
    await fh.close();
  }
}

/** Reads the first records of `path` (already checked to be one the graph may read). */
export async function previewDataFile(path: string, rawParams: Record<string, unknown> = {}): Promise<DataFilePreview> {
  const p = previewParams(rawParams);
  const { files } = await listSources(path, false);
  const file = files[0]!;
  const options = { mapping: { text: p.textField, prompt: p.promptField, response: p.responseField, label: p.labelField }, messagesField: p.messagesField, keepOtherFields: p.keepOtherFields };
  let layout: SourceLayout | null = p.layout === 'auto' ? null : p.layout;
  let detected = false;
  let fieldsFound: string[] = [];
  const settle = (fields: Record<string, unknown> | readonly string[]): SourceLayout => {
    if (!fieldsFound.length) fieldsFound = Array.isArray(fields) ? [...fields] : Object.keys(fields);
    if (layout) return layout;
    detected = true;
    return (layout = detectLayout(fields, options));
  };
  const raw = createReadStream(file.path, { highWaterMark: 1 << 16 });
  // Decoded as the run will: a wrong encoding shows in the preview as the run's error would.
  const input = decodedStream(raw, { name: file.name, encoding: p.encoding, maxLineChars: unboundedLines(file.format, p.txtRecords) ? Infinity : undefined });
  const items: AsyncGenerator<SourceItem> =
    file.format === 'txt'
      ? p.txtRecords === 'file'
        ? wholeFileHead(file.path)
        : readTxt(input, p.txtRecords, file.bytes)
      : file.format === 'jsonl'
        ? readJsonl(input)
        : file.format === 'json'
          ? readJson(input)
          : readCsv(input, { header: p.csvHeader, delimiter: p.csvDelimiter, name: file.name, requiredColumns: p.csvHeader ? (columns) => requiredFields(settle(columns), options) : [] });
  const first: DataRecord[] = [];
  const problems: string[] = [];
  let seen = 0;
  let more = false;
  let good = 0;
  try {
    for await (const item of items) {
      if (first.length >= ROWS || seen >= MAX_ITEMS) {
        more = true;
        break;
      }
      seen++;
      if ('error' in item) {
        problems.push(`${file.name}:${item.line}: ${item.error}`);
        continue;
      }
      if ('record' in item) {
        first.push(item.record);
        continue;
      }
      const r = normalise(item.fields, settle(item.fields), options);
      if ('error' in r) {
        if (p.layout === 'auto' && good === 0) layout = null;
        problems.push(`${file.name}:${item.line}: ${r.error}`);
        continue;
      }
      good++;
      first.push(r.record);
    }
  } catch (e) {
    // A header missing a mapped column: the run would stop there too.
    problems.push((e as Error).message);
  } finally {
    input.destroy();
    raw.destroy();
  }
  const shown: DatasetLayout = file.format === 'txt' ? 'text' : reportedLayout(layout ?? 'fields', options.mapping);
  return {
    name: file.name,
    format: file.format,
    layout: shown,
    detected: file.format !== 'txt' && detected,
    fieldsFound,
    first: first.map((r) => cut(r) as Record<string, unknown>),
    problems: problems.slice(0, 10),
    more,
  };
}
