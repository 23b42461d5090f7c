import { trainingBytes, type GptConfig } from '../gpt/config.ts';

const GIB = 1024 ** 3;
/** The wasm heap is 32-bit: 4 GiB, of which tfjs bookkeeping and fragmentation take a share. */
export const WASM_BUDGET_BYTES = 3.5 * GIB;

/**
 * Refuses, before any allocation, a configuration the backend cannot hold, with the estimate and a
 * batch size that fits (same effective batch through gradient accumulation). Without this, the
 * wasm backend dies with a bare `Aborted()` minutes into the run.
 */
export function assertFitsBackend(backend: string, config: GptConfig, batchSize: number, context: number, gradAccum: number): void {
  if (backend !== 'wasm') return;
  const bytes = trainingBytes(config, batchSize, context);
  if (bytes <= WASM_BUDGET_BYTES) return;
  let b = batchSize;
  while (b > 1 && trainingBytes(config, b, context) > WASM_BUDGET_BYTES) b = Math.floor(b / 2);
  const fits = trainingBytes(config, b, context) <= WASM_BUDGET_BYTES;
  throw new Error(
    `training needs about ${(bytes / GIB).toFixed(1)} GiB at batch ${batchSize}, more than the wasm backend's 4 GiB heap allows. ` +
      (fits
        ? `Use batch size ${b} with gradient accumulation ${Math.ceil((batchSize * gradAccum) / b)} (the same effective batch), or a smaller model.`
        : `Even batch size 1 does not fit: use a smaller model or a shorter context.`),
  );
}
