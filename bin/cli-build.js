/**
 * The built `weft`: the CLI and its worker bundled once with esbuild, so that a start loads plain
 * JavaScript instead of compiling TypeScript with tsx (0.5-1 s) every time.
 *
 * Where: out/cli/<fingerprint>/ (git-ignored), with cli.js and worker.js as entry points and the rest
 * as shared chunks: node modules' heavy code (each node's run function, tfjs helpers) stays behind
 * dynamic imports, so it is loaded only by the worker that runs it. Packages load from node_modules
 * at run time (tfjs, tokenizers (native), ws, ...), except a few small ones every start needs, which
 * are bundled (BUNDLED_PACKAGES below). The code is minified in syntax and whitespace only (names
 * stay readable) and has source maps, so stack traces name the TypeScript sources.
 *
 * When: on the first start that finds no build for the current sources, from bin/weft.js (like the
 * editor's browser build in src-main/server/renderer-build.ts). There is no install script: the build
 * takes well under a second, a `prepare` script would not run for installs from a registry anyway, and
 * the check below has to run at every start regardless, because sources change in a git checkout.
 *
 * Staleness: the fingerprint (64-bit FNV-1a) hashes the checkout's path and the path, size, mtime and ctime of every
 * file the bundle is made of (src-main/, nodes/ less tests, this file, tsconfig.json, package.json,
 * package-lock.json and the package.json of each package bundled in).
 * Any edit, touch, checkout, new or deleted file gives a new fingerprint and so a new folder; a build
 * is never reused for other sources. ctime is in it because a tool can set mtime back (cp -p, touch -d)
 * but not ctime. The check costs a few milliseconds (about 160 stat calls), far less than tsx.
 *
 * Each build is made in a temporary folder and renamed into place, so concurrent first starts do
 * not see half a build, and a build in use is never rewritten: a long `weft serve` keeps loading
 * chunks from its own folder. Builds unused for a day are removed when a new one is made.
 *
 * Inside the bundle, each module's `import.meta.url` is replaced by the URL of its source file, so
 * code that finds files beside its source (examples/, package.json, the renderer build, the node
 * registry) resolves exactly as it does from the sources. The worker launcher learns the built worker's
 * path through the `__WEFT_BUILD_WORKER__` constant (see src-main/engine/worker/launcher.ts), and a
 * deployed endpoint's process starts from the built endpoint.js (`__WEFT_BUILD_ENDPOINT__`, see
 * nodes/lib/endpoint/lifecycle.ts).
 *
 * Environment: WEFT_SOURCE=1 runs from the sources through tsx (no build); WEFT_TRACE_START=1 says
 * on stderr which of the two a start used.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** What the bundle is made of. */
const SOURCE_DIRS = ['src-main', 'nodes'];
const SOURCE_FILES = ['bin/cli-build.js', 'tsconfig.json', 'package.json', 'package-lock.json'];
const ENTRIES = { cli: 'src-main/cli.ts', worker: 'src-main/engine/worker/worker-main.ts', endpoint: 'nodes/lib/endpoint/main.ts' };
/** Written last: a folder without it is not a build. */
const COMPLETE = '.complete';
const UNUSED_MS = 24 * 3600_000;

const isTest = (name) => /\.test\.tsx?$/.test(name);

/** 64-bit FNV-1a as two 32-bit halves: node:crypto alone would take longer to load than the walk. */
function fnv64(text) {
  let a = 0x811c9dc5;
  let b = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000197);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** A short hash naming the current sources; see the staleness note at the top. */
export function sourceFingerprint(root = ROOT) {
  const files = [];
  for (const d of SOURCE_DIRS) {
    let entries = [];
    try {
      entries = readdirSync(join(root, d), { recursive: true, withFileTypes: true });
    } catch {
      files.push(d);
    }
    for (const e of entries) {
      if (!e.isDirectory() && !isTest(e.name) && !(e.parentPath ?? e.path).includes('node_modules')) files.push(join(e.parentPath ?? e.path, e.name).slice(root.length + 1));
    }
  }
  files.push(...SOURCE_FILES, ...BUNDLED_PACKAGES.map((p) => `node_modules/${p}/package.json`));
  files.sort();
  let listing = root;
  for (const f of files) {
    const st = statSync(join(root, f), { throwIfNoEntry: false });
    listing += st ? `\n${f} ${st.size} ${st.mtimeMs} ${st.ctimeMs}` : `\n${f} missing`;
  }
  return fnv64(listing);
}

/** The built CLI entry for the current sources, or null when there is none. */
export function freshBuild(root = ROOT) {
  const dir = join(root, 'out/cli', sourceFingerprint(root));
  return existsSync(join(dir, COMPLETE)) ? dir : null;
}

/**
 * Packages bundled rather than loaded from node_modules: small pure-ESM libraries every start loads,
 * where Node's loader spends more time finding and reading their many files than running them (zod
 * alone: 60-100 ms). Everything else (tfjs, tokenizers, ws, ...) stays external.
 */
const BUNDLED_PACKAGES = ['zod', 'xstate', 'jsonc-parser', 'commander'];

const packageName = (spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

/**
 * An esbuild plugin: packages are external except BUNDLED_PACKAGES. A bundled CommonJS package's
 * require() of a Node built-in (commander's require('node:events')) has no `require` to call in an
 * ES module; it gets the built-in from process.getBuiltinModule (Node 20.16+) instead.
 */
const externals = {
  name: 'weft-externals',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === 'require-call' && isBuiltin(args.path)) return { path: args.path, namespace: 'weft-builtin' };
      return BUNDLED_PACKAGES.includes(packageName(args.path)) ? undefined : { path: args.path, external: true };
    });
    build.onLoad({ filter: /.*/, namespace: 'weft-builtin' }, (args) => ({ contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

/**
 * An esbuild plugin: zod's `locales` namespace holds ~60 translations of its error messages (~400 KB,
 * two thirds of the start-up code), kept whole because `z` is used as a namespace object. Weft uses
 * only the English default (classic/external.js imports en.js itself), so the namespace keeps `en`.
 */
const zodEnglishOnly = {
  name: 'weft-zod-english-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: "export { default as en } from './en.js';", loader: 'js' }));
  },
};

/** An esbuild plugin: each module's import.meta.url becomes its source file's URL (see above). */
const sourceUrls = {
  name: 'weft-source-urls',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?tsx?$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const contents = text.includes('import.meta.url') ? text.replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href)) : text;
      return { contents, loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
    });
  },
};

/**
 * Builds the CLI for the current sources into out/cli/<fingerprint>/ and returns that folder.
 * Throws when esbuild is missing or the sources do not compile.
 */
export async function buildCli(root = ROOT) {
  const fingerprint = sourceFingerprint(root);
  const builds = join(root, 'out/cli');
  const dir = join(builds, fingerprint);
  if (existsSync(join(dir, COMPLETE))) return dir;
  const esbuild = await import('esbuild');
  const tmp = join(builds, `.tmp-${fingerprint}-${process.pid}-${Date.now()}`);
  mkdirSync(tmp, { recursive: true });
  try {
    await esbuild.build({
      absWorkingDir: root,
      entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, path]) => [name, join(root, path)])),
      outdir: tmp,
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      mainFields: ['module', 'main'],
      minifyWhitespace: true,
      minifySyntax: true,
      sourcemap: 'linked',
      sourcesContent: false,
      logLevel: 'silent',
      define: { __WEFT_BUILD_WORKER__: JSON.stringify(join(dir, 'worker.js')), __WEFT_BUILD_ENDPOINT__: JSON.stringify(join(dir, 'endpoint.js')) },
      plugins: [externals, zodEnglishOnly, sourceUrls],
    });
    writeFileSync(join(tmp, COMPLETE), JSON.stringify({ fingerprint, builtAt: new Date().toISOString() }));
    try {
      renameSync(tmp, dir);
    } catch (e) {
      // Another start built the same sources at the same time: use its build.
      if (!existsSync(join(dir, COMPLETE))) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  pruneBuilds(builds, fingerprint);
  return dir;
}

/** Removes other builds unused for a day, and temporary folders of builds that died. */
function pruneBuilds(builds, keep) {
  const now = Date.now();
  for (const name of readdirSync(builds)) {
    if (name === keep) continue;
    const path = join(builds, name);
    try {
      if (now - statSync(path).mtimeMs > UNUSED_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed by another start meanwhile.
    }
  }
}

/** Marks a build as used now, so that pruning keeps it. */
function touch(dir) {
  try {
    const now = new Date();
    utimesSync(dir, now, now);
  } catch {
    // A read-only install: nothing prunes there either.
  }
}

function canWrite(root) {
  const target = existsSync(join(root, 'out')) ? join(root, 'out') : root;
  try {
    accessSync(target, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The entry module `weft` should load: the built cli.js when the build is fresh or can be made now,
 * else null (run the sources through tsx).
 */
export async function locateCli() {
  const trace = process.env.WEFT_TRACE_START === '1' ? (line) => process.stderr.write(`weft: ${line}\n`) : () => {};
  if (process.env.WEFT_SOURCE === '1') {
    trace('from sources (WEFT_SOURCE=1)');
    return null;
  }
  const fresh = freshBuild();
  if (fresh) {
    touch(fresh);
    trace(`from build ${relative(ROOT, fresh)}`);
    return join(fresh, 'cli.js');
  }
  if (!canWrite(ROOT)) {
    trace('from sources (cannot write the build)');
    return null;
  }
  try {
    const t0 = performance.now();
    const dir = await buildCli();
    trace(`built ${relative(ROOT, dir)} in ${(performance.now() - t0).toFixed(0)} ms; from build`);
    return join(dir, 'cli.js');
  } catch (e) {
    // Sources that do not compile fail the same way under tsx, which names the place better.
    trace(`from sources (build failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
    return null;
  }
}
