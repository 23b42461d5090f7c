/** The `weft` command driven as a user drives it: the real binary, real files, real processes. */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir, waitFor } from './helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEFT = join(ROOT, 'bin/weft.js');
const EXAMPLE = join(ROOT, 'examples/word-stats.weft.json');

function weft(args: string[], workspace: string) {
  const r = spawnSync(process.execPath, [WEFT, ...args, '--workspace', workspace], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, all: r.stdout + r.stderr };
}

function runIdFrom(text: string): string {
  const m = /run (\d{8}-\d{6}-[0-9a-f]{6})/.exec(text);
  if (!m) throw new Error(`no run id in:\n${text}`);
  return m[1]!;
}

describe('weft CLI', () => {
  it('runs the example with progress, then re-runs it entirely from the cache', () => {
    const ws = tempDir();
    const first = weft(['run', EXAMPLE], ws);
    expect(first.code, first.all).toBe(0);
    expect(first.stderr).toMatch(/load .*1000\/1000/);
    expect(first.stderr).toMatch(/✓ stats_clean succeeded .*words=/);
    expect(first.stdout).toMatch(/succeeded in .* \(4 succeeded\)/);

    const second = weft(['run', EXAMPLE], ws);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/\(4 cached\)/);

    const edited = weft(['run', EXAMPLE, '--set', 'stats_clean.topWords=10'], ws);
    expect(edited.code).toBe(0);
    expect(edited.stdout).toMatch(/3 cached, 1 succeeded|1 succeeded, 3 cached/);
  });

  it('refuses a bad --set with the reason', () => {
    const ws = tempDir();
    const unknownNode = weft(['run', EXAMPLE, '--set', 'nope.x=1'], ws);
    expect(unknownNode.code).toBe(2);
    expect(unknownNode.stderr).toContain('the graph has no node "nope"');
    const outOfRange = weft(['run', EXAMPLE, '--set', 'stats_clean.topWords=0'], ws);
    expect(outOfRange.code).toBe(1);
    expect(outOfRange.stderr).toContain('node "stats_clean" param "topWords": topWords must be at least 1, got 0 [param_out_of_range]');
  });

  it('validates a broken graph and names each problem and its place', () => {
    const ws = tempDir();
    const graph = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    graph.nodes[1].params.keep = 'emoji';
    graph.nodes[3].params.topWords = -5;
    graph.edges.push({ id: 'loop', source: 'stats_raw', sourceHandle: 'metrics', target: 'clean', targetHandle: 'text' });
    graph.nodes[0].params.file = '../../../../etc/passwd.txt';
    const file = join(ws, 'broken.weft.json');
    writeFileSync(file, JSON.stringify(graph, null, 2));
    const r = weft(['validate', file], ws);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('broken.weft.json: node "clean" param "keep": keep must be one of');
    expect(r.stderr).toContain('[param_out_of_range]');
    expect(r.stderr).toContain('node "stats_clean" param "topWords": topWords must be at least 1, got -5');
    expect(r.stderr).toContain('edge "loop"');
    expect(r.stderr).toContain('[port_type_mismatch]');
    expect(r.stderr).toContain('node "load" param "file"');
    expect(r.stderr).toContain('[path_outside_workspace]');
    expect(r.stderr).toMatch(/4 problems found/);

    const ok = weft(['validate', EXAMPLE], ws);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('valid');

    writeFileSync(file, '{\n  "format": "weft.graph",\n  "version": 1,\n  "nodes": [\n}');
    const syntax = weft(['validate', file], ws);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/broken\.weft\.json:5:1: not valid JSON.*\[invalid_json\]/);
  });

  it('lists node types, runs, and shows a run', () => {
    const ws = tempDir();
    const nodes = weft(['nodes'], ws);
    expect(nodes.code).toBe(0);
    expect(nodes.stdout).toContain('text.load');
    expect(nodes.stdout).toContain('--set <id>.topWords  integer [1..10000] = 50');
    const json = JSON.parse(weft(['nodes', '--json'], ws).stdout);
    expect(json.map((s: { type: string }) => s.type)).toContain('text.stats');

    const run = weft(['run', EXAMPLE], ws);
    const id = runIdFrom(run.stdout);
    const runs = weft(['runs'], ws);
    expect(runs.stdout).toContain(id);
    expect(runs.stdout).toContain('Word statistics of Moby-Dick');
    const show = weft(['show', id], ws);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/stats_clean\s+text\.stats\s+succeeded/);
    expect(show.stdout).toMatch(/words=22,?841/);
    const missing = weft(['show', 'nope'], ws);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no run "nope"');
  });

  it('replays a run from its snapshot and seed and finds the same metrics', () => {
    const ws = tempDir();
    const id = runIdFrom(weft(['run', EXAMPLE, '--seed', '7'], ws).stdout);
    const replay = weft(['replay', id], ws);
    expect(replay.code, replay.all).toBe(0);
    expect(replay.stdout).toMatch(/\(4 succeeded\)/);
    expect(replay.stdout).toContain(`results identical to run ${id}`);
    expect(replay.stdout).not.toContain(`what differs`);
    expect(replay.stdout).toMatch(/= stats_clean\.words: 22,?841/);
  });

  it('survives kill -9 in the middle of a run, and `weft resume` completes it', async () => {
    const ws = tempDir();
    // A corpus big enough that counting words takes seconds.
    const dir = join(ws, 'project');
    mkdirSync(join(dir, 'data'), { recursive: true });
    const chunk = readFileSync(join(ROOT, 'examples/data/moby-dick-opening.txt'), 'utf8');
    writeFileSync(join(dir, 'data/big.txt'), chunk.repeat(160));
    const graph = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    graph.nodes[0].params.file = 'data/big.txt';
    copyFileSync(EXAMPLE, join(dir, 'unused.json'));
    const file = join(dir, 'big.weft.json');
    writeFileSync(file, JSON.stringify(graph));

    const child = spawn(process.execPath, [WEFT, 'run', file, '--workspace', ws], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await waitFor(() => /stats_clean \[#*-+\] \d+\/1000/.test(err) || /stats_raw \[#*-+\] \d+\/1000/.test(err), 60_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const id = runIdFrom(err);

    const shown = weft(['show', id], ws);
    expect(shown.stdout).toContain(`run ${id}: interrupted`);

    const resumed = weft(['resume', id], ws);
    expect(resumed.code, resumed.all).toBe(0);
    expect(resumed.stdout).toContain(`run ${id} succeeded`);
    expect(resumed.stdout).toMatch(/cached/); // load (and clean) finished before the kill
    const final = JSON.parse(weft(['show', id, '--json'], ws).stdout);
    expect(final.state).toBe('succeeded');
    expect(final.nodes.stats_clean.metrics.words).toBeGreaterThan(22_000 * 150);
    expect(final.resumedAt).toHaveLength(1);
  }, 120_000);
});
