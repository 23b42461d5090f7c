/**
 * The tensor backend ladder: tensorflow (tfjs-node-gpu, else tfjs-node, when installed) -> wasm
 * -> cpu. Chosen once per worker process; the name goes into the run record.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradients; the umbrella package's Node bundle registers them all.
import '@tensorflow/tfjs';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export { tf };

let chosen: Promise<BackendName> | null = null;
const require = createRequire(import.meta.url);

async function tryTensorflow(): Promise<boolean> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      // These packages register the 'tensorflow' backend on import; they are optional dependencies.
      await import(pkg);
      if (await tf.setBackend('tensorflow')) return true;
    } catch {
      // Not installed (or its native library failed to load): next rung.
    }
  }
  return false;
}

async function tryWasm(): Promise<boolean> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(join(dist, '/'));
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

/** Picks the best available backend (or the one named by WEFT_BACKEND) and returns its name. */
export function useBestBackend(): Promise<BackendName> {
  chosen ??= (async () => {
    const forced = process.env.WEFT_BACKEND as BackendName | undefined;
    if ((!forced || forced === 'tensorflow') && (await tryTensorflow())) return 'tensorflow';
    if ((!forced || forced === 'wasm') && (await tryWasm())) return 'wasm';
    await tf.setBackend('cpu');
    await tf.ready();
    return 'cpu';
  })();
  return chosen;
}
