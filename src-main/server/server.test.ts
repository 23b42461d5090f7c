import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect as connectTcp } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serializeGraph, type Graph } from '../../nodes/sdk/index.ts';
import { graphOf, stubEngine, tempDir } from '../../test/helpers.ts';
import type { WeftHost } from '../host/weft-host.ts';
import { Confinement, confinedApi } from './confine.ts';
import { unzipSync } from 'fflate';
import { MAX_MESSAGE_BYTES } from '../../nodes/sdk/index.ts';
import { startWebServer, type WebServer } from './server.ts';

let engine: WeftHost;
let server: WebServer;
let workspace: string;
let outside: string;
let renderer: string;

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { Host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function getBytes(path: string, headers: Record<string, string> = {}): Promise<{ status: number; bytes: Buffer; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { Host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: Buffer.concat(chunks), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens the API socket; resolves with the socket or the handshake's HTTP status. */
function connect(query: string, headers: Record<string, string>): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}

const origin = () => `http://127.0.0.1:${server.port}`;

function call(ws: WebSocket, method: string, args: unknown[]): Promise<{ result?: unknown; error?: { message: string; errors?: unknown[] } }> {
  const id = Math.floor(Math.random() * 1e9);
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as { id?: number };
      if (msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg as never);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, method, args }));
  });
}

beforeAll(async () => {
  ({ engine, workspace } = await stubEngine());
  outside = tempDir('weft-outside-');
  renderer = tempDir('weft-renderer-');
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Weft</title>');
  writeFileSync(join(outside, 'secret.weft.json'), serializeGraph(graphOf([{ id: 'a', type: 'stub.source' }])));
  const api = confinedApi(engine, new Confinement({ workspace, readRoots: [], files: [] }));
  server = await startWebServer({ api, rendererDir: renderer, token: 'test-token-123', artifactFile: (run, node, rel) => engine.artifactFile(run, node, rel), artifactArchive: (run, node) => engine.artifactArchive(run, node) });
});

afterAll(async () => {
  await server.close();
  await engine.close();
});

describe('weft serve: who may come in', () => {
  it('listens on 127.0.0.1 and prints a tokened URL', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=test-token-123/);
  });

  it('serves the editor with the token, and refuses it without or with a wrong one', async () => {
    const ok = await get('/?token=test-token-123');
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<title>Weft</title>');
    expect(String(ok.headers['content-security-policy'])).toContain("default-src 'self'");
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=wrong')).status).toBe(401);
  });

  it('keeps the key out of cookies: other servers on 127.0.0.1 receive every cookie set here (cookies ignore ports)', async () => {
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'assets', 'app-1234.js'), 'console.log(1)');
    const page = await get('/?token=test-token-123');
    expect(page.headers['set-cookie']).toBeUndefined();
    // The page's own scripts are public (nothing secret in them): they load without the key.
    const asset = await get('/assets/app-1234.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['set-cookie']).toBeUndefined();
  });

  it('refuses what another local server could have seen: the old cookie, or a request from its page', async () => {
    const { runId } = await engine.startRun({ graph: graphOf([{ id: 'a', type: 'stub.source', params: { value: 'private' } }]) });
    await engine.waitForRun(runId);
    const file = (await engine.listArtifactFiles(runId, 'a')).files[0]!.path;
    // A cookie with the key, as earlier versions set it and as any server on 127.0.0.1 received it.
    const cookie = `weft_token_${server.port}=test-token-123`;
    expect((await get('/', { Cookie: cookie })).status).toBe(401);
    expect((await get(`/artifacts/${runId}/a/${file}`, { Cookie: cookie })).status).toBe(401);
    expect((await getBytes(`/artifacts/${runId}/a.zip`, { Cookie: cookie })).status).toBe(401);
    expect(await connect('', { Origin: origin(), Cookie: cookie })).toBe(401);
    // A page served by another port of 127.0.0.1: a foreign Origin, or the browser's Sec-Fetch-Site, even with the key.
    const otherPort = `http://127.0.0.1:${server.port + 1}`;
    expect((await get(`/artifacts/${runId}/a/${file}?token=test-token-123`, { Origin: otherPort })).status).toBe(403);
    expect((await get(`/artifacts/${runId}/a/${file}?token=test-token-123`, { 'Sec-Fetch-Site': 'same-site' })).status).toBe(403);
    expect((await get('/assets/app-1234.js', { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect(await connect('?token=test-token-123', { Origin: otherPort })).toBe(403);
    // The page itself (same origin) and the user's own navigation get through.
    expect((await get(`/artifacts/${runId}/a/${file}?token=test-token-123`, { 'Sec-Fetch-Site': 'same-origin' })).body).toBe('private');
    expect((await get('/?token=test-token-123', { 'Sec-Fetch-Site': 'none' })).status).toBe(200);
  });

  it('refuses a foreign Origin and a foreign Host (DNS rebinding) even with the token', async () => {
    expect((await get('/?token=test-token-123', { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await get('/?token=test-token-123', { Host: `evil.example:${server.port}` })).status).toBe(403);
  });

  it('refuses a request with two Host headers (which one counts is ambiguous)', async () => {
    const status = await new Promise<string>((resolve, reject) => {
      const socket = connectTcp(server.port, '127.0.0.1', () =>
        socket.write(`GET /?token=test-token-123 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nHost: evil.example\r\nConnection: close\r\n\r\n`),
      );
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('end', () => resolve(text.split('\r\n')[0]!));
      socket.on('error', reject);
    });
    expect(status).toBe('HTTP/1.1 400 Bad Request');
  });

  it('does not serve files outside the renderer folder', async () => {
    expect((await get('/..%2f..%2fetc%2fpasswd?token=test-token-123')).status).toBe(404);
  });

  it('refuses WebSocket handshakes without the token, with a foreign Origin, or with none', async () => {
    expect(await connect('', { Origin: origin() })).toBe(401);
    expect(await connect('?token=test-token-123', { Origin: 'http://evil.example' })).toBe(403);
    expect(await connect('?token=test-token-123', {})).toBe(403);
  });
});

describe('path confinement', () => {
  it('allows the graph named on the command line, and reading (not writing) the examples', () => {
    const cli = join(outside, 'secret.weft.json');
    const examples = tempDir('weft-examples-');
    const c = new Confinement({ workspace, readRoots: [examples], files: [cli] });
    expect(c.readable(cli)).toBe(cli);
    expect(c.writable(cli)).toBe(cli);
    expect(c.folder(outside)).toBe(outside);
    expect(c.readable(join(examples, 'a.weft.json'))).toBe(join(examples, 'a.weft.json'));
    expect(() => c.writable(join(examples, 'a.weft.json'))).toThrow(/outside the folders/);
    expect(() => c.readable(join(outside, 'other.weft.json'))).toThrow(/outside the folders/);
  });
});

describe('weft serve: the API over WebSocket', () => {
  it('answers calls and pushes run events', async () => {
    const ws = (await connect('?token=test-token-123', { Origin: origin() })) as WebSocket;
    const types = (await call(ws, 'listNodeTypes', [])).result as Array<{ type: string }>;
    expect(types.map((t) => t.type)).toContain('stub.source');
    const events: Array<{ type: string; state?: string }> = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { event?: { type: string; state?: string } };
      if (m.event) events.push(m.event);
    });
    const { result } = await call(ws, 'startRun', [{ graph: graphOf([{ id: 'a', type: 'stub.source' }]) }]);
    await engine.waitForRun((result as { runId: string }).runId);
    await new Promise((r) => setTimeout(r, 100));
    expect(events.some((e) => e.type === 'run-state' && e.state === 'succeeded')).toBe(true);
    ws.close();
  });

  it("serves a node's file as a download, only with the key, and answers bad paths with 404 without falling over", async () => {
    const { runId } = await engine.startRun({ graph: graphOf([{ id: 'a', type: 'stub.source', params: { value: 'hello' } }]) });
    await engine.waitForRun(runId);
    const { files, dir } = await engine.listArtifactFiles(runId, 'a');
    const file = files[0]!.path;
    const key = '?token=test-token-123';
    const ok = await get(`/artifacts/${runId}/a/${file}${key}`);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-disposition']).toBe(`attachment; filename="${file.split('/').pop()}"`);
    expect((await get(`/artifacts/${runId}/a/${file}`)).status).toBe(401);
    mkdirSync(join(dir, 'sub'));
    for (const bad of ['sub', '..%2F..%2Frun.json', 'missing.txt', '%2Fetc%2Fpasswd']) expect((await get(`/artifacts/${runId}/a/${bad}${key}`)).status).toBe(404);
    expect((await get(`/artifacts/nope/a/${file}${key}`)).status).toBe(404);
    expect((await get('/?token=test-token-123')).status).toBe(200); // still up
  });

  it("serves a node's whole folder as a .zip that unpacks to the same files, byte for byte, only with the key", async () => {
    const { runId } = await engine.startRun({ graph: graphOf([{ id: 'z', type: 'stub.source', params: { value: 'zipped' } }]) });
    await engine.waitForRun(runId);
    const { files, dir } = await engine.listArtifactFiles(runId, 'z');
    mkdirSync(join(dir, 'adapter'));
    const big = Buffer.from(Array.from({ length: 3_000_000 }, (_, i) => (i * 31) % 251));
    writeFileSync(join(dir, 'adapter', 'weights.bin'), big);
    const res = await getBytes(`/artifacts/${runId}/z.zip?token=test-token-123`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const unpacked = unzipSync(new Uint8Array(res.bytes));
    const name = `z-${runId}`;
    expect(Object.keys(unpacked).sort()).toEqual([...files.map((f) => `${name}/${f.path}`), `${name}/adapter/weights.bin`].sort());
    for (const f of files) expect(Buffer.from(unpacked[`${name}/${f.path}`]!).equals(readFileSync(join(dir, f.path)))).toBe(true);
    expect(Buffer.from(unpacked[`${name}/adapter/weights.bin`]!).equals(big)).toBe(true);
    expect((await getBytes(`/artifacts/${runId}/z.zip`)).status).toBe(401);
    expect((await getBytes(`/artifacts/${runId}/nope.zip?token=test-token-123`)).status).toBe(404);
  });

  it('survives an oversized message and a broken frame: only that socket closes', async () => {
    const big = (await connect('?token=test-token-123', { Origin: origin() })) as WebSocket;
    const closed = new Promise<{ code: number; reason: string }>((r) => big.on('close', (code, reason) => r({ code, reason: reason.toString() })));
    big.send('x'.repeat(MAX_MESSAGE_BYTES + 10));
    // 1009: the message is too big (the page checks the size first and says so in words).
    expect((await closed).code).toBe(1009);

    const broken = (await connect('?token=test-token-123', { Origin: origin() })) as WebSocket;
    const gone = new Promise((r) => broken.on('close', r));
    // A frame with a reserved opcode (0x3), masked, empty: a protocol error on the server's side.
    (broken as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.from([0x83, 0x80, 0, 0, 0, 0]));
    await gone;

    // The server and its other sockets carry on.
    const ws = (await connect('?token=test-token-123', { Origin: origin() })) as WebSocket;
    expect((await call(ws, 'listNodeTypes', [])).error).toBeUndefined();
    ws.close();
    expect((await get('/?token=test-token-123')).status).toBe(200);
  });

  it('checks every message against the API schema', async () => {
    const ws = (await connect('?token=test-token-123', { Origin: origin() })) as WebSocket;
    expect((await call(ws, 'getRun', ['../../etc'])).error?.message).toMatch(/refused getRun/);
    expect((await call(ws, 'startRun', [{ graph: {}, extra: 1 }])).error?.message).toMatch(/refused startRun/);
    expect((await call(ws, 'constructor', [])).error?.message).toMatch(/unknown method/);
    const invalid = await call(ws, 'startRun', [{ graph: graphOf([{ id: 'a', type: 'no.such' }]) }]);
    expect(invalid.error?.errors).toEqual([expect.objectContaining({ code: 'unknown_node_type', nodeId: 'a' })]);
    ws.close();
  });

  it('allows a path for graphs only after the editor\'s picker showed it on that connection (the user\'s pick), never on request alone', async () => {
    const data = join(workspace, 'picked-data');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'corpus.txt'), 'words');
    const ws = (await connect('?token=test-token-123', { Origin: origin() })) as WebSocket;
    expect((await call(ws, 'allowPath', [join(data, 'corpus.txt')])).error?.message).toBe(
      `refused "${join(data, 'corpus.txt')}": only a file or folder picked in the editor's file picker (Browse…) may be allowed`,
    );
    expect((await call(ws, 'listFolder', [data])).error).toBeUndefined();
    expect((await call(ws, 'allowPath', [join(data, 'corpus.txt')])).error).toBeUndefined();
    // What one window's picker showed does not open the door for another connection.
    const other = (await connect('?token=test-token-123', { Origin: origin() })) as WebSocket;
    expect((await call(other, 'allowPath', [data])).error?.message).toMatch(/only a file or folder picked in the editor's file picker/);
    ws.close();
    other.close();
  });

  it('browses any readable folder (the picker\'s path box), yet a graph reads there only what the user picked', async () => {
    writeFileSync(join(outside, 'notes.txt'), 'mine');
    writeFileSync(join(outside, 'other.txt'), 'not picked');
    const ws = (await connect('?token=test-token-123', { Origin: origin() })) as WebSocket;
    const readGraph = (file: string) => graphOf([{ id: 'r', type: 'stub.read', params: { file } }]);
    const validate = async (file: string) => ((await call(ws, 'validateGraph', [readGraph(file)])).result as { errors: Array<{ code: string }> }).errors.map((e) => e.code);
    // Outside every root: listed all the same, with the way up.
    const listing = (await call(ws, 'listFolder', [outside])).result as { entries: Array<{ name: string }>; parent: string | null };
    expect(listing.entries.map((e) => e.name)).toEqual(expect.arrayContaining(['notes.txt', 'other.txt', 'secret.weft.json']));
    expect(listing.parent).toBe(dirname(outside));
    // Seeing a folder lets no graph read it, and a graph cannot open one there either.
    expect(await validate(join(outside, 'notes.txt'))).toEqual(['path_outside_workspace']);
    expect((await call(ws, 'openGraph', [join(outside, 'secret.weft.json')])).error?.message).toMatch(/outside the folders/);
    // The user's pick of one file opens that file, and nothing beside it.
    expect((await call(ws, 'allowPath', [join(outside, 'notes.txt')])).error).toBeUndefined();
    expect(await validate(join(outside, 'notes.txt'))).toEqual([]);
    expect(await validate(join(outside, 'other.txt'))).toEqual(['path_outside_workspace']);
    // A path the picker never showed stays refused, as before.
    expect((await call(ws, 'allowPath', ['/etc/hostname'])).error?.message).toMatch(/only a file or folder picked/);
    ws.close();
  });

  it('confines graph paths to the workspace', async () => {
    const ws = (await connect('?token=test-token-123', { Origin: origin() })) as WebSocket;
    const graph: Graph = graphOf([{ id: 'a', type: 'stub.source' }]);
    expect((await call(ws, 'saveGraph', ['graphs/mine.weft.json', graph])).error).toBeUndefined();
    expect(((await call(ws, 'openGraph', ['graphs/mine.weft.json'])).result as { path: string }).path).toBe(join(workspace, 'graphs/mine.weft.json'));
    expect((await call(ws, 'openGraph', [join(outside, 'secret.weft.json')])).error?.message).toMatch(/outside the folders/);
    expect((await call(ws, 'saveGraph', ['../escape.weft.json', graph])).error?.message).toMatch(/outside the folders/);
    expect((await call(ws, 'saveGraph', ['runs/x/run.json', graph])).error?.message).toMatch(/\.weft\.json/);
    expect((await call(ws, 'startRun', [{ graph, graphDir: outside }])).error?.message).toMatch(/outside the folders/);
    // A symlink inside the workspace that points out is followed before the check.
    mkdirSync(join(workspace, 'links'), { recursive: true });
    symlinkSync(outside, join(workspace, 'links/out'));
    expect((await call(ws, 'openGraph', ['links/out/secret.weft.json'])).error?.message).toMatch(/outside the folders/);
    ws.close();
  });
});
