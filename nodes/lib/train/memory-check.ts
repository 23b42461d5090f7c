import type { GptConfig } from '../gpt/config.ts';
import { deviceUsed } from '../device-state.ts';
import { GPU_USABLE_SHARE, trainingFitProblem, WASM_BUDGET, type BatchShape, type LoraSize, type TrainingBudget } from '../memory-estimate.ts';
import type { DeviceInfo, GpuAdapterInfo } from '../../sdk/index.ts';
import { adapterMemoryBytes, platformGpus, type PlatformGpu } from '../gpu-inventory.ts';

export { GPU_USABLE_SHARE, heapExtraBytes, largestBufferBytes, WASM_BUDGET_BYTES } from '../memory-estimate.ts';

const GIB = 1024 ** 3;

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

function budgetOf(backend: string, device: DeviceInfo | null, gpus: () => PlatformGpu[]): TrainingBudget | null {
  if (backend === 'wasm') return WASM_BUDGET;
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
 * Validation runs the same check (trainingFitProblem) before any model is built.
 */
export function assertFitsBackend(
  backend: string,
  config: GptConfig,
  batchSize: number,
  context: number,
  gradAccum: number,
  lora?: LoraSize,
  device: DeviceInfo | null = deviceUsed(),
  /** extraBytes: what the loop holds beside one model in training (reinforcement learning's full-copy reference); what: the words for the error; the batch's shape (see BatchShape). */
  more: { extraBytes?: number; what?: string } & BatchShape = {},
  /** The GPUs the platform reports (their memory); a seam for tests. */
  gpus: () => PlatformGpu[] = platformGpus,
): void {
  const budget = budgetOf(backend, device, gpus);
  if (!budget) return;
  const problem = trainingFitProblem(budget, config, batchSize, context, gradAccum, lora, more);
  if (problem) throw new Error(problem);
}
