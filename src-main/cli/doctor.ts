/**
 * `weft doctor`: what this machine offers for training, and what to install for more. The probe
 * runs in a child process started with Vulkan's environment (Dawn finds the loader only through the
 * environment its process starts with), so the answer is what a worker would see.
 */
import { spawn } from 'node:child_process';
import type { HardwareReport } from '../../nodes/sdk/index.ts';
import { vulkanSetup } from '../engine/worker/vulkan-env.ts';

const PROBE_FLAG = '--hardware-probe';

/** Runs the probe in a child `weft doctor --hardware-probe` and returns its report. */
export function probeHardwareInChild(timeoutMs = 60_000): Promise<HardwareReport> {
  const setup = vulkanSetup();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'doctor', PROBE_FLAG, setup.loader], {
      env: { ...process.env, ...setup.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('{"gpus"'));
      if (line) resolve(JSON.parse(line) as HardwareReport);
      else reject(new Error(`the hardware probe failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`));
    });
  });
}

/** The child's side: probe and print one JSON line; Dawn's threads are not waited for. */
export async function hardwareProbeCommand(loader: string): Promise<never> {
  const { probeHardware } = await import('../../nodes/lib/hardware.ts');
  const report = await probeHardware(loader as HardwareReport['vulkanLoader']);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(0);
}

const BINDING: Record<NonNullable<HardwareReport['platform']>['binding'], string> = {
  'device-select': "each heavy node's worker bound to its GPU by PCI address (Mesa's Vulkan device-select layer)",
  'adapter-name': 'each heavy node picks its GPU by adapter name',
  single: 'one heavy node at a time',
};

/** The platform's GPUs (count, memory) and how many heavy nodes run at once. */
function platformLines(r: HardwareReport): string[] {
  const p = r.platform;
  if (!p) return [];
  const lines = [`GPUs (platform) ${p.gpus.length ? `${p.gpus.length} found; heavy nodes spread over ${p.gpuCount}: ${BINDING[p.binding]}` : 'none found (nvidia-smi, /proc/driver/nvidia, /sys/class/drm)'}`];
  for (const g of p.gpus) lines.push(`  ${g.pciAddress} ${g.name}${g.memoryBytes ? `, ${(g.memoryBytes / 1024 ** 3).toFixed(1)} GiB` : ''}`);
  return lines;
}

export function formatHardware(r: HardwareReport): string {
  const lines: string[] = [];
  lines.push(`Auto trains on: ${r.auto}`);
  lines.push('');
  lines.push(`WebGPU (Dawn)   Vulkan loader: ${r.vulkanLoader}`);
  if (!r.gpus.length) lines.push('  no adapter found');
  r.gpus.forEach((g, i) => {
    const mem = g.maxBufferSize ? `, max buffer ${(g.maxBufferSize / 1024 ** 3).toFixed(1)} GiB` : '';
    lines.push(`  #${i} ${g.description || g.vendor} (${g.vendor}${g.architecture ? `, ${g.architecture}` : ''})${g.software ? ' [software: the CPU computes]' : ''}${mem}`);
  });
  lines.push(...platformLines(r));
  const tf = r.tensorflow;
  lines.push(`TensorFlow      ${tf.installed ? `@tensorflow/tfjs-node${tf.installed === 'gpu' ? '-gpu' : ''} installed; ${tf.cudaGpu ? 'sees a CUDA GPU' : 'no CUDA GPU (CPU kernels)'}` : 'not installed'}${tf.error ? ` (${tf.error})` : ''}`);
  lines.push(`wasm fallback   ${r.wasm ? 'available' : 'missing'}`);
  if (r.advice.length) {
    lines.push('');
    for (const a of r.advice) lines.push(`- ${a}`);
  }
  return lines.join('\n');
}

export async function doctorCommand(opts: { json?: boolean; probe?: string }): Promise<number> {
  if (opts.probe) return hardwareProbeCommand(opts.probe);
  try {
    const report = await probeHardwareInChild();
    process.stdout.write(`${opts.json ? JSON.stringify(report, null, 2) : formatHardware(report)}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
}
