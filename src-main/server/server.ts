import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { basename } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { sendZip, type ArchiveEntries } from './zip-download.ts';
import { MAX_MESSAGE_BYTES, MAX_GRAPH_BYTES, type WeftApi } from '../../nodes/sdk/index.ts';
import { checkRequest, newToken } from './guard.ts';
import { pickGuarded } from '../host/pick-guard.ts';
import { serveStatic } from './static-files.ts';
import { handleMessage } from './ws-protocol.ts';

/** Only loopback: web mode is for the person at this machine, never the network. */
export const HOST = '127.0.0.1';

export interface WebServerOptions {
  api: WeftApi;
  /** The built renderer (index.html + assets). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token for tests; a random one otherwise. */
  token?: string;
  /** Graph to open first, passed to the page in the URL. */
  initialGraph?: string;
  /** Resolves a download link /artifacts/<run>/<node>/<file> to a file inside that node's folder. */
  artifactFile?: (runId: string, nodeId: string, relativePath: string) => Promise<string>;
  /** Resolves /artifacts/<run>/<node>.zip to the node's files, for a download of the whole folder. */
  artifactArchive?: (runId: string, nodeId: string) => Promise<ArchiveEntries>;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

function csp(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'", // React Flow and uPlot position elements with inline styles.
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** A node's file as a download; the engine confines the path to that node's folder. */
async function sendArtifact(pathname: string, resolveFile: NonNullable<WebServerOptions['artifactFile']>, res: ServerResponse, headers: Record<string, string>) {
  const m = /^\/artifacts\/([A-Za-z0-9_-]{1,80})\/([A-Za-z0-9_-]{1,64})\/(.+)$/.exec(pathname);
  let file: string | null = null;
  let why = 'not a file of a run';
  if (m) {
    try {
      file = await resolveFile(m[1]!, m[2]!, decodeURIComponent(m[3]!));
    } catch (e) {
      why = (e as Error).message;
    }
  }
  if (!file) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
    res.end(why + '\n');
    return;
  }
  // The cache can lose the file between the check and the read: answer 404, never crash the server.
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
    res.end('the file is gone\n');
    return;
  }
  const name = basename(file).replace(/[^\w.-]/g, '_');
  res.writeHead(200, { ...headers, 'Content-Type': 'application/octet-stream', 'Content-Length': String(size), 'Content-Disposition': `attachment; filename="${name}"` });
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

/** Serves the editor and the Weft API (WebSocket at /api) on 127.0.0.1, behind a per-launch token. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? newToken();
  const sockets = new Set<WebSocket>();
  let port = 0;
  const securityHeaders = () => ({
    'Content-Security-Policy': csp(port),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });

  const http: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // The page itself and everything it can reach need the key; Weft's own scripts and styles do not.
    // (Vite puts them all under /assets/; serveStatic keeps every path inside the build folder.)
    const publicFile = url.pathname.startsWith('/assets/') && !url.pathname.includes('%');
    const refused = checkRequest(req, port, token, { requireOrigin: false, needsToken: !publicFile });
    if (refused) {
      res.writeHead(refused.status, { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders() });
      res.end(`Weft refused this request: ${refused.reason}. Open the URL that \`weft serve\` printed.\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', ...securityHeaders() });
      res.end();
      return;
    }
    const zip = /^\/artifacts\/([A-Za-z0-9_-]{1,80})\/([A-Za-z0-9_-]{1,64})\.zip$/.exec(url.pathname);
    if (zip && options.artifactArchive) {
      options
        .artifactArchive(zip[1]!, zip[2]!)
        .then(
          (entries) => sendZip(entries, res, securityHeaders()),
          (e: Error) => {
            res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders() });
            res.end(e.message + '\n');
          },
        )
        .catch(() => res.destroy());
      return;
    }
    if (url.pathname.startsWith('/artifacts/') && options.artifactFile) {
      sendArtifact(url.pathname, options.artifactFile, res, securityHeaders()).catch(() => res.destroy());
      return;
    }
    // No cookie: a cookie here would reach every other server on 127.0.0.1 too (cookies ignore ports).
    serveStatic(options.rendererDir, url.pathname, res, securityHeaders());
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  http.on('upgrade', (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Browsers always send Origin on WebSocket handshakes; a missing one is not a browser we serve.
    const refused = url.pathname === '/api' ? checkRequest(req, port, token, { requireOrigin: true }) : { status: 404, reason: 'no such endpoint' };
    if (refused) {
      socket.end(`HTTP/1.1 ${refused.status} ${refused.status === 401 ? 'Unauthorized' : refused.status === 404 ? 'Not Found' : 'Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    // Per connection: allowPath only for what this editor's file picker showed (pick-guard.ts).
    const api = pickGuarded(options.api);
    const unsubscribe = options.api.subscribe((event) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event }));
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return void ws.send(JSON.stringify({ id: null, error: { name: 'Error', message: 'refused: binary frames' } }));
      void handleMessage(api, data.toString()).then((reply) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
      });
    });
    // A protocol error (an oversized or broken frame) ends this socket only, never the server and
    // the runs it drives: ws closes the socket itself (1009 for an oversized message), and without a
    // listener its 'error' event would be an uncaught exception.
    ws.on('error', () => undefined);
    ws.on('close', () => {
      unsubscribe();
      sockets.delete(ws);
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, HOST, () => resolveListen());
  });
  port = (http.address() as AddressInfo).port;
  const query = new URLSearchParams({ token });
  if (options.initialGraph) query.set('graph', options.initialGraph);
  return {
    url: `http://${HOST}:${port}/?${query.toString()}`,
    port,
    token,
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      const closed = new Promise<void>((r) => http.close(() => r()));
      http.closeAllConnections();
      await closed;
    },
  };
}
