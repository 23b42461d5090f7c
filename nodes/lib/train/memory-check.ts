import { trainingBytes, type GptConfig } from '../gpt/config.ts';

const GIB = 1024 ** 3;
/** The wasm heap is 32-bit: 4 GiB, of which tfjs bookkeeping and fragmentation take a share. */
export const WASM_BUDGET_BYTES = 3.5 * GIB;

/**
 * Refuses, before any allocation, a configuration the backend cannot hold, with the estimate and a
 * batch size that fits (same effective batch through gradient accumulation). Without this, the
 * wasm backend dies with a bare `Aborted()` minutes into the run.
 */
export function assertFitsBackend(backend: string, config: GptConfig, batchSize: number, context: number, gradAccum: number, lora?: { rank: number; targets: number }): void {
  if (backend !== 'wasm') return;
  const need = (b: number, t: number) => trainingBytes(config, b, t, lora);
  const bytes = need(batchSize, context);
  if (bytes <= WASM_BUDGET_BYTES) return;
  let b = batchSize;
  while (b > 1 && need(b, context) > WASM_BUDGET_BYTES) b = Math.floor(b / 2);
  let t = context;
  while (t > 16 && need(1, t) > WASM_BUDGET_BYTES) t = Math.floor(t / 2);
  const advice =
    need(b, context) <= WASM_BUDGET_BYTES
      ? `Use batch size ${b} with gradient accumulation ${Math.ceil((batchSize * gradAccum) / b)} (the same effective batch), or a smaller model.`
      : need(1, t) <= WASM_BUDGET_BYTES
        ? `Even batch size 1 does not fit at context ${context}: use batch size 1 with context ${t}${lora ? '' : ', or LoRA'}, or a smaller model.`
        : `Even batch size 1 does not fit: use a smaller model${lora ? '' : ' or LoRA'}.`;
  throw new Error(
    `training needs about ${(bytes / GIB).toFixed(1)} GiB at batch ${batchSize}, context ${context}, more than the wasm backend's 4 GiB heap allows. ${advice}`,
  );
}
