/**
 * Runs a parity fixture (test/fixtures/webgpu-parity*.ts) in a child process, first on the cpu backend
 * and then on webgpu through SwiftShader, and returns both results. A child process because Dawn reads
 * Vulkan's environment when it starts. A missing SwiftShader is a failure, not a skip: CI must prove
 * the webgpu path.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { vulkanSetup } from '../../src-main/engine/worker/vulkan-env.ts';

const run = promisify(execFile);

export async function runOnCpuAndWebgpu<T>(fixture: string): Promise<[T, T]> {
  const setup = vulkanSetup(true);
  expect(setup.swiftshaderIcd, 'no SwiftShader Vulkan driver found: @sparticuz/chromium (a dev dependency) or Debian chromium provides one').toBeTruthy();
  const script = fileURLToPath(new URL(`../fixtures/${fixture}`, import.meta.url));
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, 'cpu', 'webgpu'], {
    env: { ...process.env, ...setup.env, WEFT_WEBGPU_SWIFTSHADER: '1' },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 570_000,
  });
  return JSON.parse(stdout.split('\n').find((l) => l.startsWith('[{'))!) as [T, T];
}
