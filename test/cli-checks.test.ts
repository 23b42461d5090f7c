/** `weft validate` finds before the run what used to fail at Run, and shows warnings that do not block it. */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEFT = join(ROOT, 'bin/weft.js');
const CHAT_SFT = join(ROOT, 'examples/chat-sft.weft.json');

function weft(args: string[], workspace: string) {
  const r = spawnSync(process.execPath, [WEFT, ...args, '--workspace', workspace], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, all: r.stdout + r.stderr };
}

type Node = { id: string; params: Record<string, unknown> };
type Edge = { source: string; target: string; targetHandle: string; sourceHandle: string };

describe('weft validate: checks before the run', () => {
  it('refuses a fine-tune context longer than the model\'s and warns of a trainer with no validation split', () => {
    const ws = tempDir();
    const graph = JSON.parse(readFileSync(CHAT_SFT, 'utf8')) as { nodes: Node[]; edges: Edge[] };
    // The fine-tune reads the chat data directly, without its split: a warning only.
    const noSplit = structuredClone(graph);
    noSplit.nodes = noSplit.nodes.filter((n) => n.id !== 'task_split');
    noSplit.edges = noSplit.edges.filter((e) => e.source !== 'task_split' && e.target !== 'task_split');
    noSplit.edges.push({ source: 'task_chat', sourceHandle: 'dataset', target: 'sft', targetHandle: 'dataset' });
    noSplit.edges = noSplit.edges.map((e, i) => ({ ...e, id: `e${i}` }));
    noSplit.nodes = noSplit.nodes.filter((n) => n.id !== 'before' && n.id !== 'after');
    noSplit.edges = noSplit.edges.filter((e) => !['before', 'after'].includes(e.target));
    const warnFile = join(ws, 'no-split.weft.json');
    writeFileSync(warnFile, JSON.stringify(noSplit, null, 2));
    const warned = weft(['validate', warnFile], ws);
    expect(warned.code, warned.all).toBe(0);
    expect(warned.stdout).toContain('no-split.weft.json: valid (1 warning)');
    expect(warned.stderr).toContain('warning: ' + warnFile + ': node "sft" port "dataset": The data has no validation split, so fine-tuning reports no validation loss.');
    const json = JSON.parse(weft(['validate', warnFile, '--json'], ws).stdout) as Array<{ severity?: string; code: string }>;
    expect(json.map((e) => [e.code, e.severity])).toEqual([['node_warning', 'warning']]);

    // The model's context is 48 tokens (its node's param); the fine-tune asks for 64.
    const long = structuredClone(graph);
    long.nodes.find((n) => n.id === 'sft')!.params.context = 64;
    const longFile = join(ws, 'long.weft.json');
    writeFileSync(longFile, JSON.stringify(long, null, 2));
    const refused = weft(['validate', longFile], ws);
    expect(refused.code, refused.all).toBe(1);
    expect(refused.stderr).toContain(`${longFile}: node "sft" param "context": Context 64 is longer than the model's context of 48 tokens. Set Context to 48 or less (0 uses the model's). [node_invalid]`);
    expect(refused.stderr).toContain('1 problem found.');
  }, 120_000);
});
