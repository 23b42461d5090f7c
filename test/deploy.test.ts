/**
 * Deploy end to end: a graph's deploy node starts an endpoint that outlives the run (and the `weft`
 * process that ran it), answers the official openai client, shows in `weft endpoints` and the
 * host API, and ends with `weft endpoints stop`. Real processes throughout.
 */
import OpenAI from 'openai';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { deployEndpoint, stopAllEndpoints } from '../nodes/lib/endpoint/lifecycle.ts';
import { readRecord, endpointFiles } from '../nodes/lib/endpoint/registry.ts';
import { openDefaultHost } from '../src-main/host/default-host.ts';
import { tinyModelFolder } from './fixtures/tiny-model.ts';
import { graphOf, tempDir } from './helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEFT = join(ROOT, 'bin/weft.js');
const workspaces: string[] = [];

function weft(args: string[], workspace: string) {
  const r = spawnSync(process.execPath, [WEFT, ...args, '--workspace', workspace], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, all: r.stdout + r.stderr };
}

function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
  } catch {
    return false;
  }
}

async function workspaceWithModel(): Promise<{ ws: string; model: string }> {
  const ws = tempDir('weft-deploy-');
  workspaces.push(ws);
  const model = join(ws, 'models', 'tiny-gpt');
  cpSync(await tinyModelFolder(), model, { recursive: true });
  return { ws, model };
}

afterAll(async () => {
  // Whatever a failed test left running.
  for (const ws of workspaces) await stopAllEndpoints(ws);
});

describe('deploy', () => {
  it('a run starts an endpoint that outlives it; `weft endpoints` lists it and `weft endpoints stop` ends it', async () => {
    const { ws, model } = await workspaceWithModel();
    const graph = graphOf(
      [
        { id: 'model', type: 'model', params: { source: 'folder', folder: model } },
        { id: 'serve', type: 'deploy', params: { name: 'tiny-chat', queueLimit: 2, maxTokens: 64 } },
      ],
      [['model', 'model', 'serve', 'model']],
    );
    const file = join(ws, 'deploy.weft.json');
    writeFileSync(file, JSON.stringify(graph, null, 2));
    const run = weft(['run', file], ws);
    expect(run.code, run.all).toBe(0);
    expect(run.stdout).toMatch(/serve: endpoint http:\/\/127\.0\.0\.1:\d+\/v1 serves "tiny-chat" until stopped \(weft endpoints stop tiny-chat\)/);
    // The node's log says how to call it, without writing the key into the run's record.
    const runId = /run (\d{8}-\d{6}-[0-9a-f]{6})/.exec(run.stderr)![1]!;
    const events = readFileSync(join(ws, 'runs', runId, 'events.jsonl'), 'utf8');
    expect(events).toMatch(/endpoint serving tiny-chat at http:\/\/127\.0\.0\.1:\d+\/v1/);
    expect(events).toMatch(/curl http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions -H \\"Authorization: Bearer \$\(cat .*tiny-chat\.key\)/);
    const keyFile = endpointFiles(ws, 'tiny-chat').key;
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(run.all + events + readFileSync(join(ws, 'runs', runId, 'run.json'), 'utf8')).not.toContain(key);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    // The `weft run` process is gone; the endpoint is not.
    const record = readRecord(endpointFiles(ws, 'tiny-chat').record)!;
    expect(alive(record.pid!)).toBe(true);
    // Started from the built bundle the CLI runs from (plain JavaScript), not the sources through tsx.
    expect(readFileSync(`/proc/${record.pid}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining([expect.stringMatching(/out\/cli\/[0-9a-f]+\/endpoint\.js$/)]));
    const client = new OpenAI({ baseURL: record.url!, apiKey: key, maxRetries: 0 });
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['tiny-chat']);
    const reply = await client.chat.completions.create({ model: 'tiny-chat', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 12, temperature: 0 });
    expect(reply.usage!.completion_tokens).toBeGreaterThan(0);
    expect(reply.choices[0]!.finish_reason).toBe('length');

    const listed = weft(['endpoints'], ws);
    expect(listed.code, listed.all).toBe(0);
    expect(listed.stdout).toMatch(/tiny-chat\s+running\s+http:\/\/127\.0\.0\.1:\d+\/v1\s+tiny-chat\s+weft\s+1\s/);

    // Running the graph again reuses the endpoint (never cached: the deploy node checks it lives).
    const again = weft(['run', file], ws);
    expect(again.code, again.all).toBe(0);
    expect(again.stderr).toMatch(/> serve running/);
    const againId = /run (\d{8}-\d{6}-[0-9a-f]{6})/.exec(again.stderr)![1]!;
    expect(readFileSync(join(ws, 'runs', againId, 'events.jsonl'), 'utf8')).toMatch(/already serves this model with these settings: reusing it/);
    expect(readRecord(endpointFiles(ws, 'tiny-chat').record)!.pid).toBe(record.pid);

    const stopped = weft(['endpoints', 'stop', 'tiny-chat'], ws);
    expect(stopped.code, stopped.all).toBe(0);
    expect(stopped.stdout).toContain('stopped tiny-chat');
    expect(await client.models.list().catch((e: unknown) => e)).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(alive(record.pid!)).toBe(false);
    expect(existsSync(keyFile)).toBe(false);
    expect(weft(['endpoints'], ws).stdout).toMatch(/no endpoints/);
  }, 240_000);

  it('`weft deploy` prints url, key and curl; the editor API lists it, reveals the key once, replaces it when settings change, and stops it', async () => {
    const { ws, model } = await workspaceWithModel();
    const deployed = weft(['deploy', model, '--name', 'cli-model', '--max-tokens', '32'], ws);
    expect(deployed.code, deployed.all).toBe(0);
    const url = /Serving cli-model \(weft\) at (\S+)/.exec(deployed.stdout)![1]!;
    const key = /key: (sk-weft-\S+)/.exec(deployed.stdout)![1]!;
    expect(deployed.stdout).toContain(`curl ${url}/chat/completions`);
    const client = new OpenAI({ baseURL: url, apiKey: key, maxRetries: 0 });
    const done = await client.completions.create({ model: 'cli-model', prompt: 'abc', max_tokens: 5 });
    expect(done.usage!.completion_tokens).toBe(5);
    const tooMany = await client.completions.create({ model: 'cli-model', prompt: 'abc', max_tokens: 33 }).catch((e: unknown) => e);
    expect((tooMany as InstanceType<typeof OpenAI.APIError>).status).toBe(400);

    const host = await openDefaultHost(ws);
    try {
      const [info] = await host.listEndpoints();
      expect(info).toMatchObject({ id: 'cli-model', status: 'running', url, requestsServed: 1, keyRevealable: true, maxTokens: 32, backend: 'weft' });
      const revealed = await host.revealEndpointKey('cli-model');
      expect(revealed.key).toBe(key);
      expect(revealed.snippets.curl).toContain(`Bearer ${key}`);
      expect(revealed.snippets.python).toContain(`OpenAI(base_url="${url}", api_key="${key}")`);
      expect(revealed.snippets.javascript).toContain(`new OpenAI({ baseURL: "${url}", apiKey: "${key}" })`);
      await expect(host.revealEndpointKey('cli-model')).rejects.toThrow(/shown once already/);
      expect((await host.listEndpoints())[0]!.keyRevealable).toBe(false);

      // Same name, new settings: the old process is replaced, not leaked.
      const oldPid = info!.pid!;
      const replaced = await deployEndpoint({ workspace: ws, modelPath: model, name: 'cli-model', maxTokens: 48 });
      expect(replaced.reused).toBe(false);
      expect(replaced.info.pid).not.toBe(oldPid);
      expect(alive(oldPid)).toBe(false);
      expect(await host.listEndpoints()).toHaveLength(1);
      const fresh = new OpenAI({ baseURL: replaced.info.url, apiKey: replaced.key, maxRetries: 0 });
      expect((await fresh.completions.create({ model: 'cli-model', prompt: 'abc', max_tokens: 40 })).usage!.completion_tokens).toBe(40);

      await host.stopEndpoint('cli-model');
      expect(alive(replaced.info.pid!)).toBe(false);
      expect(await host.listEndpoints()).toEqual([]);
    } finally {
      await host.close();
    }
  }, 240_000);

  it('`weft deploy --foreground` serves in the terminal until Ctrl-C, and leaves nothing registered', async () => {
    const { ws, model } = await workspaceWithModel();
    const child = spawn(process.execPath, [WEFT, 'deploy', model, '--name', 'fg', '--foreground', '--workspace', ws], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const deadline = Date.now() + 120_000;
    while (!/Ctrl-C stops it/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const url = /Serving fg \(weft\) at (\S+)/.exec(stdout)![1]!;
    const key = /key: (sk-weft-\S+)/.exec(stdout)![1]!;
    const client = new OpenAI({ baseURL: url, apiKey: key, maxRetries: 0 });
    expect((await client.completions.create({ model: 'fg', prompt: 'a', max_tokens: 4 })).usage!.completion_tokens).toBe(4);
    expect(weft(['endpoints'], ws).stdout).toMatch(/fg\s+running/);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(await client.models.list().catch((e: unknown) => e)).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(weft(['endpoints'], ws).stdout).toMatch(/no endpoints/);
  }, 180_000);

  it('a model that cannot start fails the deploy with its reason and leaves nothing running', async () => {
    const { ws, model } = await workspaceWithModel();
    // Serving other machines takes an explicit yes.
    const open = weft(['deploy', model, '--host', '0.0.0.0'], ws);
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('add --allow-network');
    writeFileSync(join(model, 'config.json'), '{ not json');
    const r = weft(['deploy', model], ws);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/did not start: its process ended/);
    expect(r.stderr).toMatch(/config\.json/);
    expect(weft(['endpoints'], ws).stdout).toMatch(/no endpoints/);
  }, 120_000);
});
