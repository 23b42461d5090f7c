/**
 * Preference pairs between nodes: `{ prompt, chosen, rejected }` records as JSON lines, one file per
 * split (train, validation = the held-out pairs), in the producing node's artifact folder. A prompt is
 * either plain text (used as the policy sees it, verbatim) or a conversation (rendered with the
 * model's chat template by whoever trains on it).
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChatTurn, PreferencesHandle, SplitName } from '../../sdk/index.ts';

export type { PreferencesHandle };

export interface PreferenceRecord {
  prompt: string | ChatTurn[];
  chosen: string;
  rejected: string;
}

export async function readPreferences(handle: PreferencesHandle, split: SplitName): Promise<PreferenceRecord[]> {
  const info = handle.splits[split];
  if (!info) return [];
  if (!existsSync(info.path)) throw new Error(`preference file ${info.path} is missing (was the cache cleared?)`);
  const out: PreferenceRecord[] = [];
  const lines = createInterface({ input: createReadStream(info.path), crlfDelay: Infinity });
  for await (const line of lines) if (line) out.push(JSON.parse(line) as PreferenceRecord);
  return out;
}

export class PreferencesWriter {
  private readonly streams = new Map<SplitName, { stream: ReturnType<typeof createWriteStream>; rows: number; path: string }>();

  constructor(private readonly dir: string) {}

  async write(split: SplitName, record: PreferenceRecord): Promise<void> {
    let s = this.streams.get(split);
    if (!s) {
      const path = join(this.dir, `${split}.jsonl`);
      s = { stream: createWriteStream(path), rows: 0, path };
      this.streams.set(split, s);
    }
    s.rows++;
    if (!s.stream.write(JSON.stringify(record) + '\n')) await once(s.stream, 'drain');
  }

  async close(): Promise<PreferencesHandle> {
    const splits: PreferencesHandle['splits'] = {};
    for (const [name, s] of this.streams) {
      s.stream.end();
      await once(s.stream, 'finish');
      splits[name] = { path: s.path, rows: s.rows };
    }
    return { kind: 'preferences', dir: this.dir, splits };
  }
}
