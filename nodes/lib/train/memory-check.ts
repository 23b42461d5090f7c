import type { GptConfig } from '../gpt/config.ts';
import { deviceUsed } from '../device-state.ts';
import { trainingFitProblem, WASM_BUDGET, type LoraSize, type TrainingBudget } from '../memory-estimate.ts';
import type { DeviceInfo } from '../../sdk/index.ts';

export { heapExtraBytes, largestBufferBytes, WASM_BUDGET_BYTES } from '../memory-estimate.ts';

const GIB = 1024 ** 3;
/** Of a GPU's memory, what training may plan to use: the driver, other programs and fragmentation take the rest. */
export const GPU_USABLE_SHARE = 0.85;

function budgetOf(backend: string, device: DeviceInfo | null): TrainingBudget | null {
  if (backend === 'wasm') return WASM_BUDGET;
  if (backend !== 'webgpu' || !device?.adapter) return null;
  const a = device.adapter;
  const perBuffer = Math.min(a.maxBufferSize ?? Infinity, a.maxStorageBufferBindingSize ?? Infinity);
  // WebGPU does not report device memory; WEFT_GPU_MEMORY_GIB tells it where the platform does not.
  const gib = Number(process.env.WEFT_GPU_MEMORY_GIB);
  const total = gib > 0 ? gib * GIB * GPU_USABLE_SHARE : undefined;
  const name = a.description || a.vendor || 'GPU';
  return {
    maxBufferBytes: Number.isFinite(perBuffer) ? perBuffer : undefined,
    totalBytes: total,
    describe: (kind) => (kind === 'buffer' ? `${name}'s largest buffer (${(perBuffer / GIB).toFixed(2)} GiB, the adapter's limit)` : `${name}'s ${gib} GiB (WEFT_GPU_MEMORY_GIB)`),
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
  /** extraBytes: what the loop holds beside one model in training (reinforcement learning's full-copy reference); what: the words for the error. */
  more: { extraBytes?: number; what?: string } = {},
): void {
  const budget = budgetOf(backend, device);
  if (!budget) return;
  const problem = trainingFitProblem(budget, config, batchSize, context, gradAccum, lora, more);
  if (problem) throw new Error(problem);
}
