/**
 * Hostile or mislabelled data files through every node that reads a user's text file (text.load,
 * dataset.file, dataset.preferences): each must stop at file:line with a plain message, or, where
 * the user chose to skip bad records, count what it left out; never succeed with garbage.
 */
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AnyNodeDefinition, ParamValue } from '../../nodes/sdk/index.ts';
import { nodeRegistry } from '../../nodes/index.ts';
import { fakeContext, paramsFor, runNode } from '../../test/fixtures/node-harness.ts';
import { tempDir } from '../../test/helpers.ts';

export interface BadFileResult {
  file: string;
  node: string;
  outcome: 'refused' | 'succeeded';
  /** The error, or the metrics of a success. */
  said: string;
  namesFileLine: boolean;
}

const node = (type: string): AnyNodeDefinition => nodeRegistry.find((d) => d.type === type)!;

function files(dir: string): Record<string, Buffer> {
  const lines = Array.from({ length: 40 }, (_, i) => `Line ${i + 1}: café crème, naïve déjà vu.`);
  const rows = Array.from({ length: 40 }, (_, i) => `row ${i + 1},${i % 2 ? 'spam' : 'ham'}`);
  const random = Buffer.alloc(4096);
  let x = 12345;
  for (let i = 0; i < random.length; i++) random[i] = (x = (x * 1103515245 + 12345) & 0x7fffffff) >> 16;
  const out: Record<string, Buffer> = {
    'latin1.txt': Buffer.from(lines.join('\n') + '\n', 'latin1'),
    'utf16-no-bom.txt': Buffer.from(lines.join('\n') + '\n', 'utf16le'),
    'binary.txt': random,
    'nul.jsonl': Buffer.concat([Buffer.from('{"text":"a"}\n{"text":"b'), Buffer.from([0]), Buffer.from('"}\n')]),
    'overlong.jsonl': Buffer.from('{"text":"short"}\n{"text":"' + 'x'.repeat(33 * 2 ** 20) + '"}\n'),
    'unterminated-quote.csv': Buffer.from(['text,label', ...rows.slice(0, 8), '"row 9 never closed,ham', ...rows.slice(9)].join('\n') + '\n'),
    'stray-quote.csv': Buffer.from(['text,label', ...rows.slice(0, 8), 'row 9 "stray,ham', ...rows.slice(9)].join('\n') + '\n'),
    'prefs-latin1.csv': Buffer.from('prompt,chosen,rejected\nCafé?,Oui très bien,Non\n', 'latin1'),
  };
  for (const [name, bytes] of Object.entries(out)) writeFileSync(join(dir, name), bytes);
  return out;
}

async function attempt(type: string, file: string, overrides: Record<string, ParamValue>): Promise<BadFileResult> {
  const ctx = fakeContext();
  const name = basename(file);
  try {
    const result = await runNode(node(type), {}, paramsFor(node(type), { ...overrides }), ctx);
    const skipped = ctx.logs.filter((l) => l.startsWith('warn:') && /skipped/.test(l)).slice(0, 1).join(' ');
    return { file: name, node: type, outcome: 'succeeded', said: `${JSON.stringify(result.metrics)} ${skipped}`.trim(), namesFileLine: new RegExp(`${name.replace('.', '\\.')}:\\d+`).test(skipped) };
  } catch (e) {
    const message = (e as Error).message;
    // A run that skipped everything ends with a summary; the log names where reading stopped.
    const where = ctx.logs.find((l) => new RegExp(`${name.replace('.', '\\.')}:\\d+`).test(l));
    if (where && !new RegExp(`${name.replace('.', '\\.')}:\\d+`).test(message)) return { file: name, node: type, outcome: 'refused', said: `${message} (log: ${where.slice(0, 120)})`, namesFileLine: true };
    return { file: name, node: type, outcome: 'refused', said: message.length > 160 ? message.slice(0, 157) + '…' : message, namesFileLine: new RegExp(`^${name.replace('.', '\\.')}:\\d+`).test(message) || new RegExp(`${name.replace('.', '\\.')}:\\d+`).test(message) };
  } finally {
    ctx.cleanup();
  }
}

export async function probeBadFiles(): Promise<BadFileResult[]> {
  const dir = tempDir('weft-probe-files-');
  files(dir);
  const at = (n: string) => join(dir, n);
  const results: BadFileResult[] = [];
  for (const name of ['latin1.txt', 'utf16-no-bom.txt', 'binary.txt']) {
    results.push(await attempt('text.load', at(name), { file: at(name) }));
    results.push(await attempt('dataset.file', at(name), { source: 'file', file: at(name), txtRecords: 'line' }));
  }
  results.push(await attempt('dataset.file', at('nul.jsonl'), { source: 'file', file: at('nul.jsonl'), onBadRecord: 'skip' }));
  results.push(await attempt('dataset.file', at('overlong.jsonl'), { source: 'file', file: at('overlong.jsonl'), onBadRecord: 'skip' }));
  results.push(await attempt('dataset.preferences', at('overlong.jsonl'), { source: 'file', file: at('overlong.jsonl'), onBadRecord: 'skip' }));
  for (const name of ['unterminated-quote.csv', 'stray-quote.csv']) {
    results.push(await attempt('dataset.file', at(name), { source: 'file', file: at(name), onBadRecord: 'fail' }));
    results.push(await attempt('dataset.file', at(name), { source: 'file', file: at(name), onBadRecord: 'skip' }));
  }
  results.push(await attempt('dataset.preferences', at('prefs-latin1.csv'), { source: 'file', file: at('prefs-latin1.csv') }));
  return results;
}
