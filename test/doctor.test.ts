/** `weft doctor`: what this machine offers, as the real binary prints it. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { HardwareReport } from '../nodes/sdk/index.ts';

const WEFT = join(fileURLToPath(new URL('..', import.meta.url)), 'bin/weft.js');

function doctor(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [WEFT, 'doctor', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, all: r.stdout + r.stderr };
}

describe('weft doctor', () => {
  it('lists the WebGPU adapter it finds (SwiftShader here), flags it as software, and says what Auto picks', () => {
    const r = doctor(['--json'], { WEFT_WEBGPU_SWIFTSHADER: '1' });
    expect(r.code, r.all).toBe(0);
    const report = JSON.parse(r.stdout) as HardwareReport;
    expect(report.gpus.length).toBeGreaterThan(0);
    expect(report.gpus[0]!.description).toMatch(/swiftshader/i);
    expect(report.gpus[0]!.software).toBe(true);
    expect(report.gpus[0]!.maxBufferSize).toBeGreaterThan(0);
    expect(report.wasm).toBe(true);
    // A software adapter is no GPU: Auto stays on the CPU rungs and the advice says how to get a real one.
    expect(report.auto).toMatch(/wasm|tensorflow \(CPU\)/);
    expect(report.advice.join('\n')).toMatch(/WebGPU: no hardware GPU adapter found/);
  }, 180_000);

  it('prints one line of advice per missing piece in its text report', () => {
    const r = doctor([], { WEFT_WEBGPU_SWIFTSHADER: '' });
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(/^Auto trains on: /m);
    expect(r.stdout).toMatch(/^WebGPU \(Dawn\)\s+Vulkan loader: (system|bundled)/m);
    expect(r.stdout).toMatch(/^TensorFlow\s+(not installed|@tensorflow)/m);
    expect(r.stdout).toMatch(/^wasm fallback\s+available/m);
    // The platform's GPU count (nvidia-smi, the kernel's files): none on these machines, so one heavy node at a time.
    expect(r.stdout).toMatch(/^GPUs \(platform\) (none found|\d+ found; heavy nodes spread over \d+)/m);
    const report = JSON.parse(doctor(['--json'], { WEFT_WEBGPU_SWIFTSHADER: '' }).stdout) as HardwareReport;
    expect(report.advice.length).toBeGreaterThan(0); // no GPU, no TensorFlow here and in CI
    expect(report.platform!.gpuCount).toBeGreaterThanOrEqual(1);
    expect(report.platform!.gpuCount).toBeLessThanOrEqual(Math.max(1, report.platform!.gpus.length));
    for (const advice of report.advice) expect(r.stdout).toContain(`- ${advice}`);
  }, 180_000);
});

describe("the editor's Hardware panel (WeftApi.describeHardware)", () => {
  it('answers from a worker process, with the GPU that workers see', async () => {
    const { openDefaultHost } = await import('../src-main/host/default-host.ts');
    const { tempDir } = await import('./helpers.ts');
    const saved = process.env.WEFT_WEBGPU_SWIFTSHADER;
    process.env.WEFT_WEBGPU_SWIFTSHADER = '1'; // workers take their environment when the host opens
    const host = await openDefaultHost(tempDir());
    try {
      const report = await host.describeHardware();
      expect(report.gpus[0]?.description).toMatch(/swiftshader/i);
      expect(report.wasm).toBe(true);
      expect(report.auto.length).toBeGreaterThan(0);
    } finally {
      if (saved === undefined) delete process.env.WEFT_WEBGPU_SWIFTSHADER;
      else process.env.WEFT_WEBGPU_SWIFTSHADER = saved;
      await host.close();
    }
  }, 120_000);
});
