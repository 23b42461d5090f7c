/**
 * Element-wise chains of the GPT-2 block as single kernels with hand-written backward passes.
 * Written with tfjs ops, GELU is 9 kernels forward and about 20 backward (every Multiply's gradient
 * also copies its other input), LayerNorm about 8 and 25, each keeping a full-size intermediate
 * for backprop; on the wasm backend those chains took about a third of a training step. Here, on
 * wasm, each is one pass over the tensor's memory in the wasm heap, forward and backward, keeping
 * only its input for the backward pass. Other backends run the plain tfjs composition (the
 * `...Ops` functions), which is also the reference the tests compare these kernels with.
 */
import { tf } from '../backend.ts';
import { ensureKernel, heapFloats, onWasm, type WasmBackend } from '../wasm-heap.ts';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
const run = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}) => tf.engine().runKernel(name, inputs, attrs);

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/** GPT-2's tanh GELU ("gelu_new") from tfjs ops. */
export function geluTanhOps(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), GELU_A)), GELU_C);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/**
 * tanh as the rational function Eigen and XNNPACK use for float32 (odd degree 13 over even degree
 * 6, its input clamped to ±7.9): within 3e-7 of Math.tanh, and 4x faster in V8, which matters at a
 * million calls per layer. Exactly ±1 from |u| = 9, where float32's tanh is ±1: GELU's derivative
 * multiplies 1 − t² by x³, so a saturated t must not keep the clamp's 5e-7 (a huge input would get
 * a huge gradient).
 */
function tanhRational(u: number): number {
  if (u >= 9) return 1;
  if (u <= -9) return -1;
  const c = u > 7.90531110763549805 ? 7.90531110763549805 : u < -7.90531110763549805 ? -7.90531110763549805 : u;
  const c2 = c * c;
  const p = c * (4.89352455891786e-3 + c2 * (6.37261928875436e-4 + c2 * (1.48572235717979e-5 + c2 * (5.12229709037114e-8 + c2 * (-8.60467152213735e-11 + c2 * (2.00018790482477e-13 + c2 * -2.76076847742355e-16))))));
  const q = 4.89352518554385e-3 + c2 * (2.26843463243900e-3 + c2 * (1.18534705686654e-4 + c2 * 1.19825839466702e-6));
  return p / q;
}

function geluKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackend;
  const out = be.makeOutput(inputs.x!.shape, 'float32');
  const x = heapFloats(be, inputs.x!);
  const y = heapFloats(be, out);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    y[i] = 0.5 * v * (1 + tanhRational(GELU_C * (v + GELU_A * v * v * v)));
  }
  return out;
}

/** d gelu / dx = ½(1 + t) + ½x(1 − t²)·c(1 + 3a x²), t = tanh(c(x + a x³)), times dy. */
function geluGradKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackend;
  const out = be.makeOutput(inputs.x!.shape, 'float32');
  const x = heapFloats(be, inputs.x!);
  const dy = heapFloats(be, inputs.dy!);
  const dx = heapFloats(be, out);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const t = tanhRational(GELU_C * (v + GELU_A * v * v * v));
    dx[i] = dy[i]! * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * GELU_A * v * v));
  }
  return out;
}

/** GPT-2's tanh GELU: one kernel each way on wasm. */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  if (!onWasm(x)) return geluTanhOps(x);
  ensureKernel('WeftGeluGrad', geluGradKernel);
  ensureKernel('WeftGelu', geluKernel, {
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => run('WeftGeluGrad', { dy: dy as tf.Tensor, x: saved[0]! }) as tf.Tensor }),
  });
  return run('WeftGelu', { x }) as tf.Tensor;
}

/**
 * erf from elementary ops (Abramowitz & Stegun 7.1.26, error below 1.5e-7), since not every
 * backend has an Erf kernel.
 */
export function erfOps(x: tf.Tensor): tf.Tensor {
  const a = tf.abs(x);
  const t = tf.div(1, tf.add(tf.mul(a, 0.3275911), 1));
  const poly = tf.mul(t, tf.add(0.254829592, tf.mul(t, tf.add(-0.284496736, tf.mul(t, tf.add(1.421413741, tf.mul(t, tf.add(-1.453152027, tf.mul(t, 1.061405429)))))))));
  const y = tf.sub(1, tf.mul(poly, tf.exp(tf.neg(tf.mul(a, a)))));
  return tf.mul(tf.sign(x), y);
}

/** BERT's exact GELU, x·Φ(x) = ½x(1 + erf(x/√2)), from tfjs ops. */
export function geluErfOps(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(erfOps(tf.mul(x, Math.SQRT1_2)), 1));
}

/** The same erf for one number (as erfOps, so both paths agree to float32 rounding). */
function erfScalar(v: number): number {
  const a = Math.abs(v);
  const t = 1 / (1 + 0.3275911 * a);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const y = 1 - poly * Math.exp(-a * a);
  return v < 0 ? -y : y;
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

function geluErfKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackend;
  const out = be.makeOutput(inputs.x!.shape, 'float32');
  const x = heapFloats(be, inputs.x!);
  const y = heapFloats(be, out);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    y[i] = 0.5 * v * (1 + erfScalar(v * Math.SQRT1_2));
  }
  return out;
}

/** d gelu / dx = Φ(x) + x·φ(x) = ½(1 + erf(x/√2)) + x·exp(−x²/2)/√(2π), times dy. */
function geluErfGradKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackend;
  const out = be.makeOutput(inputs.x!.shape, 'float32');
  const x = heapFloats(be, inputs.x!);
  const dy = heapFloats(be, inputs.dy!);
  const dx = heapFloats(be, out);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    dx[i] = dy[i]! * (0.5 * (1 + erfScalar(v * Math.SQRT1_2)) + v * Math.exp(-0.5 * v * v) * INV_SQRT_2PI);
  }
  return out;
}

/** BERT's exact GELU: one kernel each way on wasm (about twenty as tfjs ops, each kept for backprop). */
export function geluErf(x: tf.Tensor): tf.Tensor {
  if (!onWasm(x)) return geluErfOps(x);
  ensureKernel('WeftGeluErfGrad', geluErfGradKernel);
  ensureKernel('WeftGeluErf', geluErfKernel, {
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => run('WeftGeluErfGrad', { dy: dy as tf.Tensor, x: saved[0]! }) as tf.Tensor }),
  });
  return run('WeftGeluErf', { x }) as tf.Tensor;
}

/** LayerNorm over the last axis from tfjs ops. */
export function layerNormOps(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), w), b);
}

/** Mean and 1/std of row r of x (d wide), accumulated in double precision. */
function rowStats(x: Float32Array, r: number, d: number, eps: number): [number, number] {
  let sum = 0;
  for (let j = r * d; j < (r + 1) * d; j++) sum += x[j]!;
  const mean = sum / d;
  let sq = 0;
  for (let j = r * d; j < (r + 1) * d; j++) sq += (x[j]! - mean) ** 2;
  return [mean, 1 / Math.sqrt(sq / d + eps)];
}

function layerNormKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackend;
  const [rows, d] = inputs.x!.shape as [number, number];
  const eps = attrs!.eps as number;
  const out = be.makeOutput([rows, d], 'float32');
  const x = heapFloats(be, inputs.x!);
  const w = heapFloats(be, inputs.w!);
  const b = heapFloats(be, inputs.b!);
  const y = heapFloats(be, out);
  for (let r = 0; r < rows; r++) {
    const [mean, rstd] = rowStats(x, r, d, eps);
    for (let j = 0, o = r * d; j < d; j++, o++) y[o] = (x[o]! - mean) * rstd * w[j]! + b[j]!;
  }
  return out;
}

/** dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·w; dw = Σ dy·x̂; db = Σ dy. */
function layerNormGradKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const be = backend as WasmBackend;
  const [rows, d] = inputs.x!.shape as [number, number];
  const eps = attrs!.eps as number;
  const outs = [be.makeOutput([rows, d], 'float32'), be.makeOutput([d], 'float32'), be.makeOutput([d], 'float32')];
  const [x, w, dy, dx, dw, db] = [inputs.x!, inputs.w!, inputs.dy!, ...outs].map((t) => heapFloats(be, t)) as Float32Array[] as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const dwSum = new Float64Array(d);
  const dbSum = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    const [mean, rstd] = rowStats(x, r, d, eps);
    let sumG = 0;
    let sumGX = 0;
    for (let j = 0, o = r * d; j < d; j++, o++) {
      const xhat = (x[o]! - mean) * rstd;
      const g = dy[o]! * w[j]!;
      sumG += g;
      sumGX += g * xhat;
      dwSum[j]! += dy[o]! * xhat;
      dbSum[j]! += dy[o]!;
    }
    const meanG = sumG / d;
    const meanGX = sumGX / d;
    for (let j = 0, o = r * d; j < d; j++, o++) dx[o] = rstd * (dy[o]! * w[j]! - meanG - (x[o]! - mean) * rstd * meanGX);
  }
  dw.set(dwSum);
  db.set(dbSum);
  return outs;
}

/** LayerNorm over the last axis of [rows, d] with gain w and bias b: one kernel each way on wasm. */
export function layerNorm(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor2D {
  if (!onWasm(x, w, b) || x.rank !== 2) return layerNormOps(x, w, b, eps);
  ensureKernel('WeftLayerNormGrad', layerNormGradKernel);
  ensureKernel('WeftLayerNorm', layerNormKernel, {
    inputsToSave: ['x', 'w'],
    gradFunc: (dy, saved, attrs) => {
      // One backward kernel gives all three gradients. It runs here, not in the first thunk: tfjs
      // runs each thunk in its own tidy, which would free the other two before they are asked for.
      const [dx, dw, db] = run('WeftLayerNormGrad', { dy: dy as tf.Tensor, x: saved[0]!, w: saved[1]! }, { eps: (attrs as { eps: number }).eps }) as tf.Tensor[];
      return { x: () => dx!, w: () => dw!, b: () => db! };
    },
  });
  return run('WeftLayerNorm', { x, w, b }, { eps }) as tf.Tensor2D;
}

function columnSumKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackend;
  const [rows, cols] = inputs.x!.shape as [number, number];
  const out = be.makeOutput([cols], 'float32');
  const x = heapFloats(be, inputs.x!);
  const sum = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let j = 0, o = r * cols; j < cols; j++, o++) sum[j]! += x[o]!;
  heapFloats(be, out).set(sum);
  return out;
}

/**
 * Sum over the rows of [rows, cols]: a bias's gradient. The wasm Sum kernel reduces only the last
 * axis, so tf.sum(x, 0) first transposes the whole tensor there; this reads it once in place.
 */
export function columnSum(x: tf.Tensor2D): tf.Tensor1D {
  if (!onWasm(x)) return tf.sum(x, 0);
  ensureKernel('WeftColumnSum', columnSumKernel, {
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => tf.mul(tf.onesLike(saved[0]!), dy as tf.Tensor) }),
  });
  return run('WeftColumnSum', { x }) as tf.Tensor1D;
}

/**
 * softmax(scores·scale + mask) over the last axis, with its backward written out:
 * d scores = scale·y·(dy − Σ dy·y). Autodiff would add the scale's and the mask's gradients.
 */
export const attentionSoftmax = (scores: tf.Tensor3D, scale: number, mask: tf.Tensor | null): tf.Tensor3D => scaledSoftmax(scores, tf.scalar(scale), mask ?? tf.zeros([1, 1]));

const scaledSoftmax = tf.customGrad(((scores: tf.Tensor3D, scale: tf.Scalar, mask: tf.Tensor2D, save: (t: tf.Tensor[]) => void) => {
  const y = tf.softmax(tf.add(tf.mul(scores, scale), mask));
  save([y, scale, mask]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
      const [sy, s, m] = saved as [tf.Tensor3D, tf.Scalar, tf.Tensor2D];
      const dyY = tf.mul(dy, sy);
      return [tf.mul(tf.sub(dyY, tf.mul(tf.sum(dyY, -1, true), sy)), s), tf.zerosLike(s), tf.zerosLike(m)];
    },
  };
}) as never) as (scores: tf.Tensor, scale: tf.Tensor, mask: tf.Tensor) => tf.Tensor3D;
