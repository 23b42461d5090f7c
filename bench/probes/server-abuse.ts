/**
 * Abuse of `weft serve`'s HTTP and WebSocket doors: oversized and broken frames, two Host headers,
 * a foreign Origin, unknown ids. After each, the server must still serve the page and answer a
 * WebSocket call, and a training started before the abuse must still be running.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { MAX_MESSAGE_BYTES, type WeftApi } from '../../nodes/sdk/index.ts';
import { startWebServer, type WebServer } from '../../src-main/server/server.ts';
import { tempDir } from '../../test/helpers.ts';

export interface AbuseResult {
  probe: string;
  /** What the server answered (a refusal, a close code, an error reply). */
  answer: string;
  alive: boolean;
}

/** A raw HTTP request, for what Node's client will not send (two Host headers). */
function rawHttp(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('close', () => resolve(out.split('\r\n')[0] ?? ''));
    socket.on('error', (e) => resolve(`error ${e.message}`));
    setTimeout(() => socket.destroy(), 5000);
  });
}

function openSocket(server: WebServer, origin = `http://127.0.0.1:${server.port}`): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, { origin, maxPayload: 64 * 2 ** 20 });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Sends frames and collects what comes back until the socket closes or a reply arrives. */
function exchange(ws: WebSocket, send: (ws: WebSocket) => void, until: (msg: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const done = (s: string) => {
      clearTimeout(timer);
      resolve(s);
    };
    const timer = setTimeout(() => done('no answer'), timeoutMs);
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as Record<string, unknown>;
      if (msg.event) return;
      if (until(msg)) done(msg.error ? `error reply: ${(msg.error as { message: string }).message.slice(0, 90)}` : `result: ${JSON.stringify(msg.result).slice(0, 60)}`);
    });
    ws.once('close', (code) => done(`socket closed (${code})`));
    send(ws);
  });
}

async function alive(server: WebServer): Promise<boolean> {
  try {
    const page = await fetch(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    if (page.status !== 200) return false;
    const ws = await openSocket(server);
    const answer = await exchange(ws, (s) => s.send(JSON.stringify({ id: 1, method: 'listRuns', args: [] })), (m) => m.id === 1);
    ws.close();
    return answer.startsWith('result');
  } catch {
    return false;
  }
}

export async function probeServerAbuse(api: WeftApi, knownRunId: string): Promise<AbuseResult[]> {
  const rendererDir = tempDir('weft-probe-renderer-');
  mkdirSync(rendererDir, { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Weft</title>');
  const server = await startWebServer({ api, rendererDir });
  const results: AbuseResult[] = [];
  const call = async (probe: string, frame: string | Buffer, expectId: number | null) => {
    const ws = await openSocket(server);
    const answer = await exchange(ws, (s) => s.send(frame), (m) => m.id === expectId);
    ws.terminate();
    results.push({ probe, answer, alive: await alive(server) });
  };
  try {
    await call(`text frame of ${((MAX_MESSAGE_BYTES + 1024) / 2 ** 20).toFixed(1)} MB (over the limit)`, JSON.stringify({ id: 1, method: 'saveGraph', args: ['graphs/big.weft.json', { pad: 'x'.repeat(MAX_MESSAGE_BYTES) }] }), 1);
    await call('frame that is not JSON', '{"id": 1, "method": "listRuns", ', null);
    await call('JSON without an id', JSON.stringify({ method: 'listRuns' }), null);
    await call('unknown method', JSON.stringify({ id: 2, method: 'eval', args: ['process.exit()'] }), 2);
    await call('prototype method name', JSON.stringify({ id: 3, method: '__proto__', args: [] }), 3);
    await call('arguments of the wrong shape', JSON.stringify({ id: 4, method: 'getRun', args: [{ $ne: null }] }), 4);
    await call('binary frame', Buffer.from([0, 1, 2, 3, 255]), null);
    await call('deeply nested arguments', `{"id":5,"method":"validateGraph","args":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`, 5);
    await call('unknown run id', JSON.stringify({ id: 6, method: 'getRun', args: ['20990101-000000-ffffff'] }), 6);
    await call('previewArtifacts(run, "__proto__")', JSON.stringify({ id: 7, method: 'previewArtifacts', args: [knownRunId, '__proto__'] }), 7);
    await call('path traversal in a run id', JSON.stringify({ id: 8, method: 'getRunEvents', args: ['../../etc'] }), 8);
    await call('allowPath of a path never picked', JSON.stringify({ id: 9, method: 'allowPath', args: ['/etc/shadow'] }), 9);
    results.push({ probe: 'two Host headers', answer: await rawHttp(server.port, `GET /?token=${server.token} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nHost: evil.example\r\nConnection: close\r\n\r\n`), alive: await alive(server) });
    results.push({ probe: 'foreign Host (DNS rebinding)', answer: await rawHttp(server.port, `GET /?token=${server.token} HTTP/1.1\r\nHost: evil.example:${server.port}\r\nConnection: close\r\n\r\n`), alive: await alive(server) });
    let originAnswer: string;
    try {
      (await openSocket(server, 'http://evil.example')).terminate();
      originAnswer = 'accepted';
    } catch (e) {
      originAnswer = `refused: ${(e as Error).message}`;
    }
    results.push({ probe: 'WebSocket from a foreign Origin, with the token', answer: originAnswer, alive: await alive(server) });
    let portAnswer: string;
    try {
      (await openSocket(server, 'http://127.0.0.1:1')).terminate();
      portAnswer = 'accepted';
    } catch (e) {
      portAnswer = `refused: ${(e as Error).message}`;
    }
    results.push({ probe: 'WebSocket from another local port', answer: portAnswer, alive: await alive(server) });
    results.push({ probe: 'page without the token', answer: `HTTP ${(await fetch(`http://127.0.0.1:${server.port}/`)).status}`, alive: await alive(server) });
  } finally {
    await server.close();
  }
  return results;
}
