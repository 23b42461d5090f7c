/**
 * The environment a worker needs for WebGPU (Dawn) to find Vulkan on Linux. Dawn dlopens
 * `libvulkan.so.1` when it starts; the dynamic loader reads LD_LIBRARY_PATH only when a process
 * starts, so this is decided in the host, before forking.
 *
 * - A machine with GPU drivers usually has the Vulkan loader: nothing to add, the loader finds the
 *   drivers' ICDs (NVIDIA, AMD, Intel) itself.
 * - A machine without the loader (a bare CI image, a GPU box without the vulkan package) gets the
 *   loader bundled in the npm package @sparticuz/chromium (a dev dependency), unpacked once.
 * - WEFT_WEBGPU_SWIFTSHADER=1 (tests, CI) also names SwiftShader's ICD, so WebGPU runs with no GPU:
 *   Debian's chromium package's, else the one in @sparticuz/chromium's bundle.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

const SYSTEM_LOADER_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/usr/local/lib'];
const SYSTEM_SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface VulkanSetup {
  /** Variables to add to a worker's environment (empty when nothing is needed). */
  env: Record<string, string>;
  /** Where the Vulkan loader comes from, in words (for `weft doctor`). */
  loader: 'system' | 'bundled' | 'none' | 'not-linux';
  /** The ICD file named for SwiftShader, when asked for. */
  swiftshaderIcd?: string;
}

function systemLoader(): string | null {
  for (const dir of [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...SYSTEM_LOADER_DIRS]) {
    if (existsSync(join(dir, 'libvulkan.so.1'))) return dir;
  }
  return null;
}

/** Unpacks a plain (ustar) tar archive: the bundle holds a handful of regular files. */
function untar(tar: Buffer, into: string): void {
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 48);
    const body = tar.subarray(at + 512, at + 512 + size);
    const base = name.split('/').pop() ?? '';
    if ((type === '0' || type === '\0') && base && !base.startsWith('.')) writeFileSync(join(into, base), body, { mode: 0o755 });
    at += 512 + Math.ceil(size / 512) * 512;
  }
}

/** The folder holding @sparticuz/chromium's libvulkan.so.1 + SwiftShader, unpacked once per version; null without the package. */
export function bundledVulkanDir(): string | null {
  let archive: string;
  let version: string;
  try {
    const require = createRequire(import.meta.url);
    // Its "exports" hide package.json: find the package root from its entry point.
    let root = dirname(require.resolve('@sparticuz/chromium'));
    const isPackageRoot = (d: string) => existsSync(join(d, 'package.json')) && readFileSync(join(d, 'package.json'), 'utf8').includes('"@sparticuz/chromium"');
    while (!isPackageRoot(root) && dirname(root) !== root) root = dirname(root);
    const pkgJson = join(root, 'package.json');
    version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
    archive = join(dirname(pkgJson), 'bin', 'swiftshader.tar.br');
    if (!existsSync(archive)) return null;
  } catch {
    return null;
  }
  const dir = join(tmpdir(), `weft-vulkan-${version}`);
  if (existsSync(join(dir, 'libvulkan.so.1')) && existsSync(join(dir, 'vk_swiftshader_icd.json'))) return dir;
  // Unpacked beside, then renamed: a concurrent worker never sees a half-written folder.
  const staging = `${dir}.${process.pid}.tmp`;
  mkdirSync(staging, { recursive: true });
  untar(brotliDecompressSync(readFileSync(archive)), staging);
  if (!readdirSync(staging).includes('libvulkan.so.1')) return null;
  try {
    renameSync(staging, dir);
  } catch {
    // Another process won the race: its folder is as good.
  }
  return existsSync(join(dir, 'libvulkan.so.1')) ? dir : null;
}

/** What to add to a worker's environment so WebGPU finds Vulkan (and SwiftShader when `swiftshader`). */
export function vulkanSetup(swiftshader = process.env.WEFT_WEBGPU_SWIFTSHADER === '1'): VulkanSetup {
  if (process.platform !== 'linux') return { env: {}, loader: 'not-linux' };
  const system = systemLoader();
  // SwiftShader prefers the npm bundle (loader and ICD built together), so a fresh CI machine and
  // this one take the same path; Debian's chromium package is the fallback.
  const bundle = !system || swiftshader ? bundledVulkanDir() : null;
  const withPath = (dir: string) => [dir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  if (swiftshader) {
    if (bundle) return { env: { LD_LIBRARY_PATH: withPath(bundle), VK_ICD_FILENAMES: join(bundle, 'vk_swiftshader_icd.json') }, loader: 'bundled', swiftshaderIcd: join(bundle, 'vk_swiftshader_icd.json') };
    if (existsSync(SYSTEM_SWIFTSHADER_ICD)) {
      return { env: { LD_LIBRARY_PATH: withPath(dirname(SYSTEM_SWIFTSHADER_ICD)), VK_ICD_FILENAMES: SYSTEM_SWIFTSHADER_ICD }, loader: system ? 'system' : 'bundled', swiftshaderIcd: SYSTEM_SWIFTSHADER_ICD };
    }
  }
  if (system) return { env: {}, loader: 'system' };
  if (bundle) return { env: { LD_LIBRARY_PATH: withPath(bundle) }, loader: 'bundled' };
  return { env: {}, loader: 'none' };
}

/** The environment for a worker: the host's plus what Vulkan needs (no-op off Linux or when nothing is needed). */
export function workerEnvWithVulkan(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { env } = vulkanSetup(base.WEFT_WEBGPU_SWIFTSHADER === '1');
  return Object.keys(env).length ? { ...base, ...env } : base;
}
