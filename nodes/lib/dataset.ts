/**
 * Datasets between nodes: records as JSON Lines, one file per split, in the producing node's
 * artifact folder. Readers stream, so a large split never has to fit in memory at once.
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import type { ChatSegment, ChatTurn, DatasetHandle, SplitName } from '../sdk/index.ts';

export type { ChatSegment, ChatTurn, DatasetHandle, SplitName };
export const SPLITS: readonly SplitName[] = ['train', 'validation', 'test'];

/**
 * A record: free text, a prompt/response pair, a conversation (`messages`, from the chat layouts of
 * Dataset from files), and/or a label. Chat format adds `segments` to multi-turn conversations.
 */
export interface DataRecord {
  text?: string;
  prompt?: string;
  response?: string;
  label?: string;
  messages?: ChatTurn[];
  segments?: ChatSegment[];
  [field: string]: unknown;
}


export async function* readSplit(handle: DatasetHandle, split: SplitName): AsyncGenerator<DataRecord> {
  const info = handle.splits[split];
  if (!info) return;
  const lines = createInterface({ input: createReadStream(info.path), crlfDelay: Infinity });
  for await (const line of lines) if (line) yield JSON.parse(line) as DataRecord;
}

export async function readAll(handle: DatasetHandle, split: SplitName): Promise<DataRecord[]> {
  const out: DataRecord[] = [];
  for await (const r of readSplit(handle, split)) out.push(r);
  return out;
}

/** Writes the splits of a dataset into dir and returns its handle. */
export class DatasetWriter {
  private readonly streams = new Map<SplitName, { stream: ReturnType<typeof createWriteStream>; rows: number; path: string }>();
  private readonly fields = new Set<string>();
  private readonly labels = new Set<string>();

  /** `from`: the dataset this one transforms; its chat format carries over, as the records keep their shape. */
  constructor(
    private readonly dir: string,
    private readonly from?: DatasetHandle,
  ) {}

  async write(split: SplitName, record: DataRecord): Promise<void> {
    let s = this.streams.get(split);
    if (!s) {
      const path = join(this.dir, `${split}.jsonl`);
      s = { stream: createWriteStream(path), rows: 0, path };
      this.streams.set(split, s);
    }
    for (const k of Object.keys(record)) this.fields.add(k);
    if (typeof record.label === 'string') this.labels.add(record.label);
    s.rows++;
    if (!s.stream.write(JSON.stringify(record) + '\n')) await once(s.stream, 'drain');
  }

  async close(): Promise<DatasetHandle> {
    const splits: DatasetHandle['splits'] = {};
    for (const [name, s] of this.streams) {
      s.stream.end();
      await once(s.stream, 'finish');
      splits[name] = { path: s.path, rows: s.rows };
    }
    return {
      kind: 'dataset',
      dir: this.dir,
      fields: [...this.fields].sort(),
      splits,
      ...(this.labels.size ? { labels: [...this.labels].sort() } : {}),
      ...(this.from?.chat ? { chat: this.from.chat } : {}),
    };
  }
}

/** The dataset, once its split files are known to be there (a cleared cache removes them). */
export function withSplitFiles(h: DatasetHandle): DatasetHandle {
  for (const s of Object.values(h.splits)) if (s && !existsSync(s.path)) throw new Error(`dataset file ${s.path} is missing (was the cache cleared?)`);
  return h;
}

/** The text a language model trains on, from whichever fields a record has. */
export function recordText(r: DataRecord): string {
  if (typeof r.text === 'string') return r.text;
  // A newline keeps question and answer apart, as a chat template would.
  if (typeof r.prompt === 'string' || typeof r.response === 'string') return [r.prompt, r.response].filter((x) => typeof x === 'string').join('\n');
  // A conversation not yet rendered with a template: one "role: content" line per turn.
  if (Array.isArray(r.messages)) return r.messages.map((m) => `${m.role}: ${m.content}`).join('\n');
  return '';
}
