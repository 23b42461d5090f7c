/**
 * One Adam/AdamW update of a parameter as a single pass on the wasm backend. Written with tfjs
 * ops the update is about twelve kernels per parameter, each a pass over a weight-sized tensor
 * (and a kernel launch even for the smallest bias); summed over a GPT's parameters that was about
 * a tenth of a training step on wasm. Same formula as optimizer.ts's op-by-op update, which other
 * backends run (and the tests compare with).
 */
import { tf } from '../backend.ts';
import { ensureKernel, heapFloats, onWasm, type WasmBackend } from '../wasm-heap.ts';

export interface AdamStep {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ. */
  bc1: number;
  bc2: number;
  /** Weight decay added to the gradient (Adam's L2). */
  l2: number;
  /** Weight decay added to the update (AdamW's decoupled decay). */
  decoupled: number;
}

function adamKernel({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const be = backend as WasmBackend;
  const a = attrs as unknown as AdamStep;
  const shape = inputs.p!.shape;
  const outs = [be.makeOutput(shape, 'float32'), be.makeOutput(shape, 'float32'), be.makeOutput(shape, 'float32')];
  const [p, g, m, v, clip, np, nm, nv] = [inputs.p!, inputs.g!, inputs.m!, inputs.v!, inputs.clip!, ...outs].map((t) => heapFloats(be, t)) as Float32Array[] as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  // Plain locals: V8 keeps them in registers through the loop.
  const [c, lr, b1, b2, eps, bc1, bc2, l2, dec] = [clip[0]!, a.lr, a.beta1, a.beta2, a.eps, a.bc1, a.bc2, a.l2, a.decoupled];
  for (let i = 0; i < p.length; i++) {
    const w = p[i]!;
    const grad = g[i]! * c + w * l2;
    const mi = m[i]! * b1 + grad * (1 - b1);
    const vi = v[i]! * b2 + grad * grad * (1 - b2);
    nm[i] = mi;
    nv[i] = vi;
    np[i] = w - lr * (mi / bc1 / (Math.sqrt(vi / bc2) + eps) + w * dec);
  }
  return outs;
}

/** The updated parameter and moments [p, m, v] from gradient g scaled by clip (a scalar tensor); null off wasm. */
export function fusedAdam(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, clip: tf.Scalar, step: AdamStep): [tf.Tensor, tf.Tensor, tf.Tensor] | null {
  if (!onWasm(p, g, m, v, clip)) return null;
  ensureKernel('WeftAdam', adamKernel);
  return tf.engine().runKernel('WeftAdam', { p, g, m, v, clip }, step as unknown as tf.NamedAttrMap) as [tf.Tensor, tf.Tensor, tf.Tensor];
}
