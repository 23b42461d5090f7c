/** `weft serve` as a user starts it: the real command, its printed address, and its refusals. */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRendererBuild } from '../../src-main/server/renderer-build.ts';
import { tempDir } from '../helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/weft.js', import.meta.url));
const GRAPH = fileURLToPath(new URL('../../examples/word-stats.weft.json', import.meta.url));

let child: ChildProcess;
let url: URL;

function status(target: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(target);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  await ensureRendererBuild(); // built once for all browser tests; the command then starts at once
  child = spawn(process.execPath, [BIN, 'serve', GRAPH, '--workspace', tempDir('weft-serve-')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  url = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address printed:\n${out}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(new URL(m[0]));
      }
    });
    child.stderr!.on('data', (d) => (out += d));
    child.once('exit', (code) => reject(new Error(`weft serve exited with ${code}:\n${out}`)));
  });
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  }
});

describe('weft serve', () => {
  it('prints a 127.0.0.1 address with a long random token and the graph to open', () => {
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.searchParams.get('token')!.length).toBeGreaterThanOrEqual(32);
    expect(url.searchParams.get('graph')).toBe(GRAPH);
  });

  it('serves the editor at that address and refuses it without the token or from another origin', async () => {
    expect(await status(url.href)).toBe(200);
    expect(await status(`${url.origin}/`)).toBe(401);
    expect(await status(url.href, { Origin: 'http://attacker.example' })).toBe(403);
    expect(await status(url.href.replace('127.0.0.1', 'localhost'), { Host: `rebound.example:${url.port}` })).toBe(403);
  });

  it('stops cleanly on Ctrl-C', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
