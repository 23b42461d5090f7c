/**
 * The model node's Hub source end to end, against a fixture Hub on 127.0.0.1: validation touches no
 * network, a run downloads into the workspace cache and records the resolved commit, HF_TOKEN goes
 * to the server as a bearer token and nowhere else, and replay uses the recorded commit after the
 * branch has moved.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelHandle } from '../nodes/sdk/index.ts';
import { openDefaultHost } from '../src-main/host/default-host.ts';
import type { WeftHost } from '../src-main/host/weft-host.ts';
import { commitOf, filesOf, startFixtureHub, type FixtureHub } from './fixtures/hub-server.ts';
import { graphOf, tempDir } from './helpers.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/hf/', import.meta.url));
const ID = 'test-org/tiny-chat';
const first = filesOf(join(FIXTURES, 'smollm-tied'), { 'README.md': '# tiny chat' });
const second = filesOf(join(FIXTURES, 'llama3-gqa-bf16-sharded'), { 'README.md': '# tiny chat, sharded' });
const A = commitOf(first);
const B = commitOf(second);

let hub: FixtureHub;
let host: WeftHost;
let workspace: string;
const saved = { url: process.env.WEFT_HUB_URL, token: process.env.HF_TOKEN };

beforeAll(async () => {
  hub = await startFixtureHub();
  hub.repos.set(ID, { refs: { main: A }, commits: { [A]: first, [B]: second }, gated: true });
  // Workers inherit the environment: set before the host starts them.
  process.env.WEFT_HUB_URL = hub.url;
  process.env.HF_TOKEN = hub.token;
  workspace = tempDir('weft-hub-ws-');
  host = await openDefaultHost(workspace);
});

afterAll(async () => {
  await host?.close();
  await hub?.close();
  for (const [k, v] of [['WEFT_HUB_URL', saved.url], ['HF_TOKEN', saved.token]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const hubGraph = (params: Record<string, unknown>) => graphOf([{ id: 'model', type: 'model', version: 2, params: { source: 'hub', hubModel: ID, ...params } }]);

describe('model node: source hub', () => {
  it('checks the model id at validation, without the network', async () => {
    const bad = await host.validateGraph(hubGraph({ hubModel: 'just-a-name' }), workspace);
    expect(bad.errors).toEqual([expect.objectContaining({ nodeId: 'model', param: 'hubModel', message: expect.stringMatching(/owner\/name/) })]);
    const ok = await host.validateGraph(hubGraph({}), workspace);
    expect(ok).toEqual({ ok: true, errors: [] });
    expect(hub.requests).toEqual([]);
  });

  it('downloads with HF_TOKEN, records the commit, and replay uses that commit after main moved', async () => {
    const { runId } = await host.startRun({ graph: hubGraph({}), graphDir: workspace });
    const run = await host.waitForRun(runId);
    expect(run.state, JSON.stringify(run.nodes, null, 1).slice(0, 2000)).toBe('succeeded');
    const model = run.nodes.model!.outputs!.model as ModelHandle;
    expect(model.source).toEqual({ hub: ID, revision: 'main', commit: A });
    expect(model.config.family).toBe('llama');
    expect(readdirSync(model.dir).sort()).toEqual(['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    expect(readFileSync(join(model.dir, 'model.safetensors')).equals(first['model.safetensors']!)).toBe(true);
    expect(existsSync(join(workspace, 'models', 'hub', 'models--test-org--tiny-chat', 'snapshots', A, 'config.json'))).toBe(true);
    expect(run.nodes.model!.metrics).toMatchObject({ downloadedMB: expect.any(Number), modelMB: expect.any(Number) });
    // The token went to the server as a bearer token, on every request...
    expect(hub.requests.length).toBeGreaterThan(0);
    expect(hub.requests.every((r) => r.authorization === `Bearer ${hub.token}`)).toBe(true);
    // ...and nowhere in the run's record or its event log.
    const runDir = join(workspace, 'runs', runId);
    for (const f of readdirSync(runDir)) expect(readFileSync(join(runDir, f), 'utf8')).not.toContain(hub.token);
    const events = await host.getRunEvents(runId);
    expect(events.some((e) => e.type === 'node-progress' && e.nodeId === 'model')).toBe(true);
    expect(JSON.stringify(events)).not.toContain(hub.token);

    // main moves to another commit; a run that does not reuse the cache gets it.
    hub.repos.get(ID)!.refs.main = B;
    const moved = await host.waitForRun((await host.startRun({ graph: hubGraph({}), graphDir: workspace, noCache: true })).runId);
    expect(moved.state).toBe('succeeded');
    expect((moved.nodes.model!.outputs!.model as ModelHandle).source?.commit).toBe(B);
    expect(readdirSync((moved.nodes.model!.outputs!.model as ModelHandle).dir)).toContain('model.safetensors.index.json');

    // Replay of the first run, with the cache emptied: it must fetch commit A, not main.
    rmSync(join(workspace, 'models', 'hub'), { recursive: true, force: true });
    hub.requests.length = 0;
    const replay = await host.waitForRun((await host.replayRun(runId)).runId);
    expect(replay.state, JSON.stringify(replay.nodes, null, 1).slice(0, 2000)).toBe('succeeded');
    expect(replay.replayOf).toBe(runId);
    expect(replay.graph.nodes[0]!.params.revision).toBe(A);
    const replayed = replay.nodes.model!.outputs!.model as ModelHandle;
    expect(replayed.source).toEqual({ hub: ID, revision: A, commit: A });
    expect(readFileSync(join(replayed.dir, 'model.safetensors')).equals(first['model.safetensors']!)).toBe(true);
    const files = hub.requests.filter((r) => r.path.includes('/resolve/'));
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((r) => r.path.startsWith(`/${ID}/resolve/${A}/`))).toBe(true);
    expect(replay.nodes.model!.metrics!.parameters).toBe(run.nodes.model!.metrics!.parameters);
  });

  it('offline: runs from the cache, and fails in plain words for a model never downloaded', async () => {
    hub.requests.length = 0;
    const offline = await host.waitForRun((await host.startRun({ graph: hubGraph({ revision: A, offline: true }), graphDir: workspace })).runId);
    expect(offline.state).toBe('succeeded');
    expect(hub.requests).toEqual([]);
    const missing = await host.waitForRun((await host.startRun({ graph: hubGraph({ hubModel: 'test-org/never-seen', offline: true }), graphDir: workspace })).runId);
    expect(missing.state).toBe('failed');
    expect(missing.nodes.model!.error).toMatch(/test-org\/never-seen at revision main is not in the cache; run once with a network/);
  });
});
