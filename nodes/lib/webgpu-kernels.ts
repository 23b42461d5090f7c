/**
 * Fixes to tfjs-backend-webgpu kernels that break on real adapters' limits.
 *
 * AddN binds one storage buffer per input (plus the output) in one shader; the gradient of a
 * weight used in many places (tied embeddings, a norm shared by every layer) sums more inputs than
 * an adapter allows (8 by default, 12 on SwiftShader), and the pipeline is then invalid: every
 * later step computes garbage with only a validation warning. Here AddN sums in chunks that fit.
 */
import * as tf from '@tensorflow/tfjs-core';

let patched = false;

export function patchWebgpuKernels(maxStorageBuffersPerShaderStage: number): void {
  if (patched) return;
  const original = tf.getKernel('AddN', 'webgpu');
  if (!original) return;
  patched = true;
  const chunk = Math.max(2, maxStorageBuffersPerShaderStage - 1);
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({
    kernelName: 'AddN',
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const inputs = args.inputs as unknown as tf.TensorInfo[];
      if (inputs.length <= chunk) return original.kernelFunc(args);
      const backend = args.backend as { disposeData(dataId: object): void };
      let pending = [...inputs];
      const made = new Set<tf.TensorInfo>();
      while (pending.length > 1) {
        const next: tf.TensorInfo[] = [];
        for (let i = 0; i < pending.length; i += chunk) {
          const part = pending.slice(i, i + chunk);
          if (part.length === 1) next.push(part[0]!);
          else {
            const sum = original.kernelFunc({ ...args, inputs: part as never }) as tf.TensorInfo;
            made.add(sum);
            next.push(sum);
          }
        }
        // Partial sums consumed by this round are freed; the inputs belong to the caller.
        for (const t of pending) if (made.has(t) && !next.includes(t)) backend.disposeData(t.dataId);
        pending = next;
      }
      return pending[0]!;
    },
  });
}
