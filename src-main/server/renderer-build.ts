import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const RENDERER_OUT = join(ROOT, 'out/renderer-web');
const STAMP = join(RENDERER_OUT, '.weft-build.json');
const LOCK = join(ROOT, 'out/.renderer-web.lock');
/** What the browser bundle is made of: a change in any of these means a rebuild. */
const SOURCES = ['src-renderer', 'nodes/sdk', 'vite.renderer.config.ts', 'package-lock.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name.endsWith('.test.ts') || name.endsWith('.test.tsx')) continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

function sourcesMtime(): number {
  return Math.max(...SOURCES.map((s) => newestMtime(join(ROOT, s))));
}

export function rendererBuildIsFresh(): boolean {
  if (!existsSync(join(RENDERER_OUT, 'index.html')) || !existsSync(STAMP)) return false;
  try {
    return (JSON.parse(readFileSync(STAMP, 'utf8')) as { sources: number }).sources >= sourcesMtime();
  } catch {
    return false;
  }
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(LOCK), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // Another weft (or test) is building; a lock older than five minutes is from a dead one.
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 300_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() - started > 300_000) throw new Error('timed out waiting for another renderer build');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * Builds the browser renderer when it is missing or older than its sources, so a fresh clone runs
 * `weft serve` with no separate build step. Returns the folder to serve.
 */
export async function ensureRendererBuild(log: (line: string) => void = () => {}): Promise<string> {
  if (rendererBuildIsFresh()) return RENDERER_OUT;
  return withLock(async () => {
    if (rendererBuildIsFresh()) return RENDERER_OUT;
    log('Building the editor for the browser (once, about half a minute)…');
    const sources = sourcesMtime();
    const { build } = await import('vite');
    // Vite and the React plugin pick dev or production code from NODE_ENV; a test runner sets it to
    // "test", which would mix the two. The served editor is always the production build.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({ configFile: join(ROOT, 'vite.renderer.config.ts'), logLevel: 'warn' });
    } finally {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
    }
    writeFileSync(STAMP, JSON.stringify({ sources, builtAt: new Date().toISOString() }));
    return RENDERER_OUT;
  });
}
