import { trainingBytes, type GptConfig } from '../gpt/config.ts';
import { deviceUsed } from '../device-state.ts';
import type { DeviceInfo, GpuAdapterInfo } from '../../sdk/index.ts';
import { adapterMemoryBytes, platformGpus, type PlatformGpu } from '../gpu-inventory.ts';

const GIB = 1024 ** 3;
/** The wasm heap is 32-bit: 4 GiB, of which tfjs bookkeeping and fragmentation take a share. */
export const WASM_BUDGET_BYTES = 3.5 * GIB;
/** Of a GPU's memory, what training may plan to use: the driver, other programs and fragmentation take the rest. */
const GPU_USABLE_SHARE = 0.85;

type Lora = { rank: number; targets: number };

/** The largest single tensor a training step makes: one WebGPU buffer each, capped by the adapter. */
export function largestBufferBytes(config: GptConfig, batch: number, context: number): number {
  const c = { heads: config.heads, width: config.width, vocab: config.vocabSize, mlp: config.intermediateSize ?? 4 * config.width };
  return 4 * Math.max(batch * context * c.vocab, batch * c.heads * context * context, batch * context * c.mlp, c.vocab * c.width);
}

interface Budget {
  /** What the device holds in all. */
  totalBytes?: number;
  /** Largest single buffer. */
  maxBufferBytes?: number;
  /** For messages: "the wasm backend's 4 GiB heap", "the GPU's 1.0 GiB buffer limit". */
  describe(kind: 'total' | 'buffer'): string;
}

/**
 * The GPU's memory: WEFT_GPU_MEMORY_GIB when set (it overrides), else what the platform says
 * (nvidia-smi, amdgpu's sysfs; see gpu-inventory.ts), else unknown. A software adapter computes in
 * the machine's memory, which no GPU figure describes.
 */
function deviceMemory(adapter: GpuAdapterInfo, gpus: () => PlatformGpu[]): { bytes: number; source: string } | null {
  const gib = Number(process.env.WEFT_GPU_MEMORY_GIB);
  if (gib > 0) return { bytes: gib * GIB, source: 'WEFT_GPU_MEMORY_GIB' };
  if (adapter.software) return null;
  const found = adapterMemoryBytes(adapter.vendor, gpus());
  return found ? { bytes: found.bytes, source: found.gpu.vendor === 'nvidia' ? 'nvidia-smi' : 'the driver' } : null;
}

function budgetOf(backend: string, device: DeviceInfo | null, gpus: () => PlatformGpu[]): Budget | null {
  if (backend === 'wasm') return { totalBytes: WASM_BUDGET_BYTES, describe: () => "the wasm backend's 4 GiB heap" };
  if (backend !== 'webgpu' || !device?.adapter) return null;
  const a = device.adapter;
  const perBuffer = Math.min(a.maxBufferSize ?? Infinity, a.maxStorageBufferBindingSize ?? Infinity);
  // WebGPU does not report device memory: the platform's figure, or the user's, stands in for it.
  const memory = deviceMemory(a, gpus);
  const name = a.description || a.vendor || 'GPU';
  return {
    maxBufferBytes: Number.isFinite(perBuffer) ? perBuffer : undefined,
    totalBytes: memory ? memory.bytes * GPU_USABLE_SHARE : undefined,
    describe: (kind) =>
      kind === 'buffer' ? `${name}'s largest buffer (${(perBuffer / GIB).toFixed(2)} GiB, the adapter's limit)` : `${name}'s ${Number((memory!.bytes / GIB).toFixed(1))} GiB (${memory!.source})`,
  };
}

/**
 * Refuses, before any allocation, a configuration the backend cannot hold, with the estimate and a
 * batch size that fits (same effective batch through gradient accumulation). Without this, the
 * wasm backend dies with a bare `Aborted()` minutes into the run, and a GPU loses its device.
 * For webgpu the limits are the adapter's (largest buffer) and, when known, its memory.
 */
export function assertFitsBackend(backend: string, config: GptConfig, batchSize: number, context: number, gradAccum: number, lora?: Lora, device: DeviceInfo | null = deviceUsed(), gpus: () => PlatformGpu[] = platformGpus): void {
  const budget = budgetOf(backend, device, gpus);
  if (!budget) return;
  const need = (b: number, t: number) => trainingBytes(config, b, t, lora);
  const overTotal = (b: number, t: number) => budget.totalBytes !== undefined && need(b, t) > budget.totalBytes;
  const overBuffer = (b: number, t: number) => budget.maxBufferBytes !== undefined && largestBufferBytes(config, b, t) > budget.maxBufferBytes;
  const fits = (b: number, t: number) => !overTotal(b, t) && !overBuffer(b, t);
  if (fits(batchSize, context)) return;
  let b = batchSize;
  while (b > 1 && !fits(b, context)) b = Math.floor(b / 2);
  let t = context;
  while (t > 16 && !fits(1, t)) t = Math.floor(t / 2);
  const advice = fits(b, context)
    ? `Use batch size ${b} with gradient accumulation ${Math.ceil((batchSize * gradAccum) / b)} (the same effective batch), or a smaller model.`
    : fits(1, t)
      ? `Even batch size 1 does not fit at context ${context}: use batch size 1 with context ${t}${lora ? '' : ', or LoRA'}, or a smaller model.`
      : `Even batch size 1 does not fit: use a smaller model${lora ? '' : ' or LoRA'}.`;
  const at = `at batch ${batchSize}, context ${context}`;
  const why = overTotal(batchSize, context)
    ? `training needs about ${(need(batchSize, context) / GIB).toFixed(1)} GiB ${at}, more than ${budget.describe('total')} allows.`
    : `training ${at} makes a ${(largestBufferBytes(config, batchSize, context) / GIB).toFixed(2)} GiB tensor (logits or attention scores), more than ${budget.describe('buffer')}.`;
  throw new Error(`${why} ${advice}`);
}
