/**
 * The Llama family's element-wise chains as single wasm kernels with hand-written backward passes,
 * as fused-ops.ts does for GPT-2's GELU and LayerNorm: RMSNorm (5 tfjs kernels forward, about 15
 * backward), SwiGLU's silu(gate)·up (4 and about 10; its sigmoid stays tfjs's) and rotary embeddings (a matMul with the
 * rotate-half matrix plus 3 element-wise kernels, and as many again backward). Each is one pass over
 * the tensor in the wasm heap each way, keeping only its inputs for the backward pass. On other
 * backends the plain tfjs compositions (`...Ops`) run; the tests compare the two, values and gradients.
 */
import { tf } from '../backend.ts';
import { ensureKernel, heapFloats, onWasm, type WasmBackend } from '../wasm-heap.ts';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
const run = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}) => tf.engine().runKernel(name, inputs, attrs);

/** RMSNorm as the Llama family computes it, from tfjs ops: x / sqrt(mean(x²) + eps) · w. */
export function rmsNormOps(x: tf.Tensor2D, w: tf.Tensor, eps: number): tf.Tensor2D {
  const meanSquare = tf.mean(tf.mul(x, x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), w) as tf.Tensor2D;
}

/** 1/sqrt(mean(x²) + eps) of row r, accumulated in double precision. */
function rowRstd(x: Float32Array, r: number, d: number, eps: number): number {
  let sq = 0;
  for (let j = r * d; j < (r + 1) * d; j++) sq += x[j]! * x[j]!;
  return 1 / Math.sqrt(sq / d + eps);
}

function rmsNormKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackend;
  const [rows, d] = inputs.x!.shape as [number, number];
  const eps = attrs!.eps as number;
  const out = be.makeOutput([rows, d], 'float32');
  const x = heapFloats(be, inputs.x!);
  const w = heapFloats(be, inputs.w!);
  const y = heapFloats(be, out);
  for (let r = 0; r < rows; r++) {
    const rstd = rowRstd(x, r, d, eps);
    for (let j = 0, o = r * d; j < d; j++, o++) y[o] = x[o]! * rstd * w[j]!;
  }
  return out;
}

/** dx = rstd·(g − x̂·mean(g·x̂)) with g = dy·w, x̂ = x·rstd; dw = Σ dy·x̂. */
function rmsNormGradKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const be = backend as WasmBackend;
  const [rows, d] = inputs.x!.shape as [number, number];
  const eps = attrs!.eps as number;
  const outs = [be.makeOutput([rows, d], 'float32'), be.makeOutput([d], 'float32')];
  const [x, w, dy, dx, dw] = [inputs.x!, inputs.w!, inputs.dy!, ...outs].map((t) => heapFloats(be, t)) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const dwSum = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    const rstd = rowRstd(x, r, d, eps);
    let sumGX = 0;
    for (let j = 0, o = r * d; j < d; j++, o++) {
      const xhat = x[o]! * rstd;
      sumGX += dy[o]! * w[j]! * xhat;
      dwSum[j]! += dy[o]! * xhat;
    }
    const meanGX = sumGX / d;
    for (let j = 0, o = r * d; j < d; j++, o++) dx[o] = rstd * (dy[o]! * w[j]! - x[o]! * rstd * meanGX);
  }
  dw.set(dwSum);
  return outs;
}

/** RMSNorm over the last axis of [rows, d] with gain w: one kernel each way on wasm. */
export function rmsNorm(x: tf.Tensor2D, w: tf.Tensor, eps: number): tf.Tensor2D {
  if (!onWasm(x, w) || x.rank !== 2) return rmsNormOps(x, w, eps);
  ensureKernel('WeftRmsNormGrad', rmsNormGradKernel);
  ensureKernel('WeftRmsNorm', rmsNormKernel, {
    inputsToSave: ['x', 'w'],
    gradFunc: (dy, saved, attrs) => {
      // Both gradients from one kernel, run here rather than in a thunk (see layerNorm in fused-ops.ts).
      const [dx, dw] = run('WeftRmsNormGrad', { dy: dy as tf.Tensor, x: saved[0]!, w: saved[1]! }, { eps: (attrs as { eps: number }).eps }) as tf.Tensor[];
      return { x: () => dx!, w: () => dw! };
    },
  });
  return run('WeftRmsNorm', { x, w }, { eps }) as tf.Tensor2D;
}

/** silu(gate)·up from tfjs ops, silu(a) = a·sigmoid(a). */
export function swigluOps(gate: tf.Tensor, up: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(gate, tf.sigmoid(gate)), up);
}

function swigluKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackend;
  const out = be.makeOutput(inputs.gate!.shape, 'float32');
  const [a, s, b, y] = [inputs.gate!, inputs.sig!, inputs.up!, out].map((t) => heapFloats(be, t)) as [Float32Array, Float32Array, Float32Array, Float32Array];
  for (let i = 0; i < a.length; i++) y[i] = a[i]! * s[i]! * b[i]!;
  return out;
}

/** d gate = dy·up·σ(a)(1 + a(1 − σ(a))), d up = dy·silu(a), from the saved σ(a): no exp here. */
function swigluGradKernel({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const be = backend as WasmBackend;
  const outs = [be.makeOutput(inputs.gate!.shape, 'float32'), be.makeOutput(inputs.gate!.shape, 'float32')];
  const [a, s, b, dy, da, db] = [inputs.gate!, inputs.sig!, inputs.up!, inputs.dy!, ...outs].map((t) => heapFloats(be, t)) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  for (let i = 0; i < a.length; i++) {
    const si = s[i]!;
    const g = dy[i]! * si;
    da[i] = g * b[i]! * (1 + a[i]! * (1 - si));
    db[i] = g * a[i]!;
  }
  return outs;
}

/**
 * σ(gate) comes from tfjs's own Sigmoid (vectorised in the wasm module; an exp per element in a
 * JavaScript loop costs more than the kernels it would save), the product and the whole backward
 * pass from one pass each.
 */
const swigluFused = tf.customGrad(((gate: tf.Tensor, up: tf.Tensor, save: (t: tf.Tensor[]) => void) => {
  const sig = tf.sigmoid(gate);
  save([gate, up, sig]);
  return {
    value: run('WeftSwiglu', { gate, up, sig }) as tf.Tensor,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run('WeftSwigluGrad', { dy, gate: saved[0]!, up: saved[1]!, sig: saved[2]! }) as tf.Tensor[],
  };
}) as never) as (gate: tf.Tensor, up: tf.Tensor) => tf.Tensor;

/** SwiGLU's silu(gate)·up (gate and up of one shape): Sigmoid and one kernel forward, one kernel backward on wasm. */
export function swiglu(gate: tf.Tensor, up: tf.Tensor): tf.Tensor {
  if (!onWasm(gate, up) || !tf.util.arraysEqual(gate.shape, up.shape)) return swigluOps(gate, up);
  ensureKernel('WeftSwigluGrad', swigluGradKernel);
  ensureKernel('WeftSwiglu', swigluKernel);
  return swigluFused(gate, up);
}

/**
 * x·cos + rotate_half(x)·sin over x [n, T, hd] with tables [T, hd], rotate_half(x) = [−x₂, x₁] (the
 * two halves of each head): y[j] = x[j]cos[j] − x[j+h]sin[j], y[j+h] = x[j+h]cos[j+h] + x[j]sin[j+h].
 */
function ropeKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackend;
  const [n, T, hd] = inputs.x!.shape as [number, number, number];
  const out = be.makeOutput([n, T, hd], 'float32');
  const [x, cos, sin, y] = [inputs.x!, inputs.cos!, inputs.sin!, out].map((t) => heapFloats(be, t)) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const h = hd / 2;
  for (let row = 0; row < n * T; row++) {
    const o = row * hd;
    const c = (row % T) * hd;
    for (let j = 0; j < h; j++) {
      const lo = x[o + j]!;
      const hi = x[o + j + h]!;
      y[o + j] = lo * cos[c + j]! - hi * sin[c + j]!;
      y[o + j + h] = hi * cos[c + j + h]! + lo * sin[c + j + h]!;
    }
  }
  return out;
}

/** The transpose of the rotation: dx[j] = dy[j]cos[j] + dy[j+h]sin[j+h], dx[j+h] = dy[j+h]cos[j+h] − dy[j]sin[j]. */
function ropeGradKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackend;
  const [n, T, hd] = inputs.dy!.shape as [number, number, number];
  const out = be.makeOutput([n, T, hd], 'float32');
  const [dy, cos, sin, dx] = [inputs.dy!, inputs.cos!, inputs.sin!, out].map((t) => heapFloats(be, t)) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const h = hd / 2;
  for (let row = 0; row < n * T; row++) {
    const o = row * hd;
    const c = (row % T) * hd;
    for (let j = 0; j < h; j++) {
      const lo = dy[o + j]!;
      const hi = dy[o + j + h]!;
      dx[o + j] = lo * cos[c + j]! + hi * sin[c + j + h]!;
      dx[o + j + h] = hi * cos[c + j + h]! - lo * sin[c + j]!;
    }
  }
  return out;
}

/**
 * Rotary embeddings on [n, T, hd] with cos and sin tables [T, hd] (halves repeated, as HF's
 * rotate-half layout): one kernel each way on wasm; elsewhere `ops` (the caller's composition) runs.
 * The tables are constants: their gradients are zeros.
 */
export function rope(x: tf.Tensor3D, cos: tf.Tensor2D, sin: tf.Tensor2D, ops: () => tf.Tensor3D): tf.Tensor3D {
  if (!onWasm(x, cos, sin) || x.shape[2] % 2 !== 0) return ops();
  ensureKernel('WeftRopeGrad', ropeGradKernel);
  ensureKernel('WeftRope', ropeKernel, {
    inputsToSave: ['cos', 'sin'],
    gradFunc: (dy, saved) => ({
      x: () => run('WeftRopeGrad', { dy: dy as tf.Tensor, cos: saved[0]!, sin: saved[1]! }) as tf.Tensor,
      cos: () => tf.zerosLike(saved[0]!),
      sin: () => tf.zerosLike(saved[1]!),
    }),
  });
  return run('WeftRope', { x, cos, sin }) as tf.Tensor3D;
}
