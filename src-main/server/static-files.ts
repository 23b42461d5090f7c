import { createReadStream, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

/** Sends a file from the built renderer; "/" is index.html. Paths cannot leave the folder. */
export function serveStatic(root: string, pathname: string, res: ServerResponse, headers: Record<string, string>): void {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    rel = '\0';
  }
  if (rel === '/' || rel === '') rel = '/index.html';
  const base = resolve(root);
  const file = resolve(base, '.' + rel);
  let ok = !rel.includes('\0') && file.startsWith(base + sep);
  if (ok) {
    try {
      ok = statSync(file).isFile();
    } catch {
      ok = false;
    }
  }
  if (!ok) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
    res.end('not found');
    return;
  }
  const hashed = rel.startsWith('/assets/');
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    // Vite puts content hashes in asset names; index.html must always be fetched fresh.
    'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-store',
    ...headers,
  });
  createReadStream(file).pipe(res);
}
