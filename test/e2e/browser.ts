/**
 * The browser the browser tests (and bench/editor.ts) drive, found without root and without a download:
 *   1. $WEFT_CHROMIUM, a path to a Chromium or Chrome binary;
 *   2. a system Chromium, Chrome or Edge at the usual places (skipped when WEFT_CHROMIUM_SKIP_SYSTEM=1);
 *   3. on Linux x64, the headless Chromium inside the npm package @sparticuz/chromium (a dev dependency,
 *      so `npm install` brings it): unpacked once into the temp folder, no network.
 * On macOS and Windows without Chrome or Edge, the error is one line saying what to install.
 */
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';

export interface FoundBrowser {
  executablePath: string;
  /** Flags this browser needs beyond the common ones. */
  args: string[];
  /** Environment the browser needs (the npm one: its own NSS libraries). */
  env: Record<string, string>;
  /** Where it came from, for logs and reports. */
  source: 'WEFT_CHROMIUM' | 'system' | 'npm';
}

const programFiles = [process.env.PROGRAMFILES, process.env['PROGRAMFILES(X86)'], process.env.LOCALAPPDATA].filter((p): p is string => !!p);

/** The usual places of a system browser, per platform. */
export const SYSTEM_BROWSERS: Record<string, string[]> = {
  linux: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/usr/bin/microsoft-edge'],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
  ],
  win32: programFiles.flatMap((root) => [join(root, 'Google', 'Chrome', 'Application', 'chrome.exe'), join(root, 'Microsoft', 'Edge', 'Application', 'msedge.exe')]),
};

const HINT: Record<string, string> = {
  darwin: 'No Chrome for the browser tests: install Google Chrome (or Edge), or set WEFT_CHROMIUM=/path/to/chrome',
  win32: 'No Chrome or Edge for the browser tests: install one, or set WEFT_CHROMIUM=C:\\path\\to\\chrome.exe',
};

/** The Chromium flags of @sparticuz/chromium that a test browser wants (not its Lambda-only ones). */
const NPM_BROWSER_ARGS = ['--headless=shell', '--lang=en-US', '--no-zygote', '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--font-render-hinting=none'];

export async function findBrowser(env: NodeJS.ProcessEnv = process.env, platform: string = process.platform): Promise<FoundBrowser> {
  const fromEnv = env.WEFT_CHROMIUM;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`WEFT_CHROMIUM=${fromEnv} does not exist`);
    return { executablePath: fromEnv, args: [], env: {}, source: 'WEFT_CHROMIUM' };
  }
  if (env.WEFT_CHROMIUM_SKIP_SYSTEM !== '1') {
    const found = (SYSTEM_BROWSERS[platform] ?? []).find((p) => existsSync(p));
    if (found) return { executablePath: found, args: [], env: {}, source: 'system' };
  }
  if (platform === 'linux' && process.arch === 'x64') {
    const home = await npmChromium();
    // Its NSS libraries (libnss3, libnspr4: the only ones it needs beyond glibc that a bare Debian or
    // Ubuntu lacks) come from the same package, so no apt-get is needed.
    const libs = join(home, 'lib');
    const ldPath = [libs, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    // Under LANG=C.UTF-8 (CI, containers) this build reports navigator.language "en-US@posix", which
    // Intl rejects: give it a real locale, as a desktop session has.
    return { executablePath: join(home, 'chromium'), args: NPM_BROWSER_ARGS, env: { ...stringEnv(env), LD_LIBRARY_PATH: ldPath, LANG: 'en_US.UTF-8' }, source: 'npm' };
  }
  throw new Error(HINT[platform] ?? `No Chromium for the browser tests on ${platform}/${process.arch}: install Chromium or Chrome, or set WEFT_CHROMIUM=/path/to/chrome`);
}

/**
 * Unpacks @sparticuz/chromium's browser into <tmp>/weft-chromium-<version>/ once (the binary
 * `chromium`, its SwiftShader GL libraries, and its NSS libraries in lib/) and returns that folder.
 * The package unpacks into os.tmpdir(); pointing TMPDIR at a private folder for the call, then renaming
 * that folder into place, keeps two test processes that start together from reading a half-written binary.
 */
async function npmChromium(): Promise<string> {
  const require = createRequire(import.meta.url);
  // The package exports no ./package.json: read it beside its entry (build/cjs/index.cjs).
  const pkg = join(dirname(require.resolve('@sparticuz/chromium')), '..', '..', 'package.json');
  const version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  const base = tmpdir();
  const home = join(base, `weft-chromium-${version}`);
  const binary = join(home, 'chromium');
  if (existsSync(binary) && existsSync(join(home, 'lib'))) return home;
  const partial = `${home}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = partial;
  try {
    const { default: chromium } = await import('@sparticuz/chromium');
    await chromium.executablePath();
    // The package unpacks al2023.tar.br (its NSS libraries) only on Amazon Linux: unpack it here too.
    await untarBrotli(join(dirname(pkg), 'bin', 'al2023.tar.br'), partial, require);
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  }
  try {
    renameSync(partial, home);
  } catch {
    // Another process finished first: use its copy.
    rmSync(partial, { recursive: true, force: true });
  }
  if (!existsSync(binary)) throw new Error(`@sparticuz/chromium did not unpack a browser into ${home}`);
  return home;
}

async function untarBrotli(file: string, into: string, require: NodeJS.Require): Promise<void> {
  // tar-fs is @sparticuz/chromium's own dependency: resolve it from there.
  const tar = createRequire(require.resolve('@sparticuz/chromium'))('tar-fs') as { extract(dir: string): NodeJS.WritableStream };
  await pipeline(createReadStream(file), createBrotliDecompress(), tar.extract(into));
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
