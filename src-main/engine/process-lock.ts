/**
 * A lock the operating system releases when its holder dies, even by kill -9: a listening local
 * socket (Linux: the abstract namespace; macOS: a socket file, checked for life before it is
 * reused; Windows: a named pipe). A lock file with a pid could outlive its process, or name a
 * reused pid; a socket cannot.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProcessLock {
  release(): Promise<void>;
}

function address(key: string): string {
  const id = createHash('sha256').update(key).digest('hex').slice(0, 32);
  if (process.platform === 'win32') return `\\\\.\\pipe\\weft-${id}`;
  if (process.platform === 'linux') return `\0weft-${id}`;
  const dir = join(tmpdir(), 'weft-locks');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${id}.sock`);
}

function listen(path: string): Promise<Server | null> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(null) : reject(e)));
    server.listen(path, () => resolve(server));
  });
}

/** True when a live process answers at the address (a socket file of a dead one refuses). */
function answered(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Takes the lock named by `key`, or returns null when a live process holds it. */
export async function tryLock(key: string): Promise<ProcessLock | null> {
  const path = address(key);
  let server = await listen(path);
  if (!server && !path.startsWith('\0') && !path.startsWith('\\\\') && !(await answered(path))) {
    // A socket file left by a process that died: nobody answers, so it is free.
    rmSync(path, { force: true });
    server = await listen(path);
  }
  if (!server) return null;
  server.unref();
  const held = server;
  return { release: () => new Promise<void>((r) => held.close(() => r())) };
}
