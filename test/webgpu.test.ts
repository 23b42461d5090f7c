/**
 * Training and generation on the webgpu backend (Dawn) match the cpu backend. With no GPU here or
 * in CI, Dawn runs on SwiftShader, a Vulkan driver on the CPU (from the npm package
 * @sparticuz/chromium, or Debian's chromium): the same WGSL kernels a GPU runs, so the numbers
 * tfjs-backend-webgpu computes are checked, not the speed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runOnCpuAndWebgpu } from './support/webgpu-parity-run.ts';

interface BackendRun {
  backend: string;
  device: { backend: string; adapter?: { description: string; software: boolean } };
  pretrain: { losses: number[]; valLoss: number | null; tensors: number[] };
  lora: { losses: number[]; tensors: number[] };
  greedy: number[];
  generationLeak: number;
  tensorsAfter: number;
}

let cpu: BackendRun;
let gpu: BackendRun;

describe('webgpu backend (SwiftShader) against cpu', () => {
  beforeAll(async () => {
    [cpu, gpu] = await runOnCpuAndWebgpu<BackendRun>('webgpu-parity.ts');
  }, 600_000);

  it('runs on the webgpu backend through a Vulkan adapter', () => {
    expect(cpu.backend).toBe('cpu');
    expect(gpu.backend).toBe('webgpu');
    expect(gpu.device.adapter?.description).toMatch(/swiftshader/i);
    expect(gpu.device.adapter?.software).toBe(true);
  });

  it('pretraining: 20 per-step losses within 1e-4 of the cpu backend, and the loss falls', () => {
    expect(gpu.pretrain.losses).toHaveLength(20);
    gpu.pretrain.losses.forEach((loss, i) => expect(Math.abs(loss - cpu.pretrain.losses[i]!)).toBeLessThan(1e-4));
    expect(gpu.pretrain.losses.at(-1)!).toBeLessThan(gpu.pretrain.losses[0]! * 0.6);
    expect(Math.abs(gpu.pretrain.valLoss! - cpu.pretrain.valLoss!)).toBeLessThan(1e-4);
  });

  it('LoRA SFT: 20 per-step losses within 1e-4 of the cpu backend', () => {
    expect(gpu.lora.losses).toHaveLength(20);
    gpu.lora.losses.forEach((loss, i) => expect(Math.abs(loss - cpu.lora.losses[i]!)).toBeLessThan(1e-4));
    expect(gpu.lora.losses.at(-1)!).toBeLessThan(gpu.lora.losses[0]!);
  });

  it('greedy generation gives the same tokens', () => {
    expect(gpu.greedy).toHaveLength(12);
    expect(gpu.greedy).toEqual(cpu.greedy);
  });

  it('keeps tf.memory().numTensors flat across steps and generation', () => {
    expect(new Set(gpu.pretrain.tensors.slice(1)).size).toBe(1);
    expect(new Set(gpu.lora.tensors.slice(1)).size).toBe(1);
    expect(gpu.generationLeak).toBe(0);
  });
});
