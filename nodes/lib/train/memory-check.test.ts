import { describe, expect, it } from 'vitest';
import type { GptConfig } from '../gpt/config.ts';
import { assertFitsBackend } from './memory-check.ts';
import { parseNvidiaSmi } from '../gpu-inventory.ts';

const big: GptConfig = { vocabSize: 50257, contextLength: 1024, width: 768, layers: 12, heads: 12, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 };
const small: GptConfig = { ...big, vocabSize: 256, contextLength: 128, width: 128, layers: 4, heads: 4 };

describe('memory check', () => {
  it('refuses a configuration the wasm heap cannot hold, with the estimate and a batch that fits', () => {
    expect(() => assertFitsBackend('wasm', big, 16, 1024, 1)).toThrow(/training needs about \d+\.\d GiB at batch size 16, context 1024, more than the wasm backend's 4 GiB heap allows/);
    expect(() => assertFitsBackend('wasm', { ...big, layers: 4, width: 256, heads: 4 }, 64, 256, 2)).toThrow(/Use batch size \d+ with gradient accumulation \d+ \(the same effective batch\)/);
  });
  it('lets a configuration that fits through, and does not limit other backends', () => {
    expect(() => assertFitsBackend('wasm', small, 16, 128, 1)).not.toThrow();
    expect(() => assertFitsBackend('tensorflow', big, 16, 1024, 1)).not.toThrow();
  });
});

describe('memory estimate against the measured peak', () => {
  // Sizes the estimate was not fitted on (bench/memory-estimate.ts has those): each family, full and LoRA.
  const cases: Array<{ config: GptConfig; batch: number; context: number; lora?: boolean }> = [
    { config: { ...small, vocabSize: 300, width: 64, layers: 2, heads: 2, contextLength: 64 }, batch: 4, context: 64 },
    { config: { ...small, family: 'llama', vocabSize: 700, width: 96, layers: 3, heads: 4, kvHeads: 2, headDim: 24, intermediateSize: 256, rope: { theta: 10000 }, contextLength: 96 }, batch: 4, context: 96 },
    { config: { ...small, family: 'bert', causal: false, maskTokenId: 1, vocabSize: 400, width: 64, layers: 2, heads: 2, intermediateSize: 192, activation: 'gelu', typeVocabSize: 2, contextLength: 64 }, batch: 4, context: 64 },
    { config: { ...small, family: 'qwen3', vocabSize: 1024, width: 192, layers: 3, heads: 6, kvHeads: 3, headDim: 32, intermediateSize: 512, qkNorm: true, rope: { theta: 10000 }, contextLength: 64, tiedEmbeddings: false }, batch: 6, context: 64, lora: true },
  ];
  for (const [i, c] of cases.entries()) {
    it(`is within 25% of tfjs's measured peak, size ${i + 1} (${c.config.family ?? 'gpt2'}${c.lora ? ', LoRA' : ''})`, async () => {
      const { measure } = await import('../../../bench/memory-estimate.ts');
      const { measured, estimated } = await measure({ name: `case ${i}`, ...c });
      expect(estimated / measured).toBeGreaterThan(0.75);
      expect(estimated / measured).toBeLessThan(1.25);
    });
  }
});

describe('memory check on a GPU (webgpu)', () => {
  const gpu = (maxBufferSize: number) => ({ backend: 'webgpu', adapter: { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200', software: false, maxBufferSize, maxStorageBufferBindingSize: maxBufferSize } });
  it("refuses a step whose logits exceed the adapter's largest buffer, naming a batch that fits", () => {
    // 16 x 1024 x 50257 float32 logits = 3.1 GiB, over a 2 GiB buffer limit; batch 8 makes 1.5 GiB.
    expect(() => assertFitsBackend('webgpu', big, 16, 1024, 1, undefined, gpu(2 * 1024 ** 3))).toThrow(/makes a 3\.07 GiB tensor .*NVIDIA H200's largest buffer .*Use batch size 8 with gradient accumulation 2/);
    expect(() => assertFitsBackend('webgpu', big, 8, 1024, 1, undefined, gpu(2 * 1024 ** 3))).not.toThrow();
  });
  it('uses the device memory the user states (WEFT_GPU_MEMORY_GIB) as the total budget', () => {
    process.env.WEFT_GPU_MEMORY_GIB = '4';
    try {
      expect(() => assertFitsBackend('webgpu', big, 16, 1024, 1, undefined, gpu(64 * 1024 ** 3))).toThrow(/more than NVIDIA H200's 4 GiB \(WEFT_GPU_MEMORY_GIB\) allows/);
      expect(() => assertFitsBackend('webgpu', small, 16, 128, 1, undefined, gpu(64 * 1024 ** 3))).not.toThrow();
    } finally {
      delete process.env.WEFT_GPU_MEMORY_GIB;
    }
  });

  it("uses the device memory the platform states (nvidia-smi's output, faked here), WEFT_GPU_MEMORY_GIB overriding it", () => {
    // nvidia-smi --query-gpu=name,pci.bus_id,memory.total --format=csv,noheader,nounits on a 4 GiB card.
    const gpus = () => parseNvidiaSmi('NVIDIA H200, 00000000:17:00.0, 4096\n');
    expect(() => assertFitsBackend('webgpu', big, 16, 1024, 1, undefined, gpu(64 * 1024 ** 3), {}, gpus)).toThrow(/more than NVIDIA H200's 4 GiB \(nvidia-smi\) allows\./);
    expect(() => assertFitsBackend('webgpu', small, 16, 128, 1, undefined, gpu(64 * 1024 ** 3), {}, gpus)).not.toThrow();
    // An H200's 141 GiB holds GPT-2 small at batch 4 (about 32 GiB by the estimate), not at 16 (about 128 GiB).
    expect(() => assertFitsBackend('webgpu', big, 16, 1024, 1, undefined, gpu(64 * 1024 ** 3), {}, () => parseNvidiaSmi('NVIDIA H200, 00000000:17:00.0, 143771\n'))).toThrow(/140\.4 GiB \(nvidia-smi\)/);
    expect(() => assertFitsBackend('webgpu', big, 4, 1024, 1, undefined, gpu(64 * 1024 ** 3), {}, () => parseNvidiaSmi('NVIDIA H200, 00000000:17:00.0, 143771\n'))).not.toThrow();
    process.env.WEFT_GPU_MEMORY_GIB = '200';
    try {
      expect(() => assertFitsBackend('webgpu', big, 16, 1024, 1, undefined, gpu(64 * 1024 ** 3), {}, gpus)).not.toThrow();
    } finally {
      delete process.env.WEFT_GPU_MEMORY_GIB;
    }
  });
  it("takes AMD's VRAM from the driver, and no figure for a software adapter (it computes in the machine's memory)", () => {
    const amd = { backend: 'webgpu', adapter: { vendor: 'amd', architecture: 'rdna-3', description: 'AMD Radeon RX 7600', software: false, maxBufferSize: 2 ** 40, maxStorageBufferBindingSize: 2 ** 40 } };
    const vram = () => [{ vendor: 'amd' as const, name: 'AMD GPU 0x7480', pciAddress: '0000:03:00.0', memoryBytes: 4 * 1024 ** 3 }];
    expect(() => assertFitsBackend('webgpu', big, 16, 1024, 1, undefined, amd, {}, vram)).toThrow(/AMD Radeon RX 7600's 4 GiB \(the driver\)/);
    const swiftshader = { backend: 'webgpu', adapter: { ...amd.adapter, vendor: 'google', description: 'SwiftShader Device', software: true } };
    expect(() => assertFitsBackend('webgpu', big, 16, 1024, 1, undefined, swiftshader, {}, vram)).not.toThrow();
  });
});
