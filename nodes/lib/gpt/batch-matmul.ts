/**
 * Batched matMul ([n, M, K] x [n, K, N], either side optionally transposed) that is fast on the wasm
 * backend too. tfjs-backend-wasm hands a matMul to XNNPACK only when it is one plain 2-D,
 * non-transposed product; anything batched or transposed (attention's q·kᵀ and att·v, and all four
 * products of their backward pass) runs a scalar triple loop there, which made attention about 40%
 * of a training step. On wasm this op runs XNNPACK once per matrix of the batch instead: each
 * operand is a view into the tensor's own memory (registered under a fresh tensor id, no copy) and a
 * transposed operand is first transposed into a scratch buffer. Other backends use tf.matMul, whose
 * batched kernels are already good there.
 *
 * Relies on tfjs-backend-wasm internals (wasm-heap.ts; its tensor registry and its exported
 * BatchMatMul function): the tests check results and gradients against tf.matMul.
 */
import { tf } from '../backend.ts';
import { ensureKernel, heapOffset, onWasm, type WasmBackend } from '../wasm-heap.ts';

const KERNEL = 'WeftBatchMatMul';

/** The wasm module's exported BatchMatMul, per module (a re-created backend brings a new one). */
const exported = new WeakMap<object, (...args: unknown[]) => void>();

const shapeBytes = (shape: number[]) => new Uint8Array(new Int32Array(shape).buffer);

/** Copies the [rows, cols] matrix at `from` (a float index into heap) transposed to `to`. */
function transposeInto(heap: Float32Array, from: number, rows: number, cols: number, to: number): void {
  for (let r = 0; r < rows; r++) {
    const row = from + r * cols;
    for (let c = 0; c < cols; c++) heap[to + c * rows + r] = heap[row + c]!;
  }
}

function wasmBatchMatMul({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const be = backend as WasmBackend;
  const a = inputs.a!;
  const b = inputs.b!;
  const transposeA = Boolean(attrs?.transposeA);
  const transposeB = Boolean(attrs?.transposeB);
  const [n, aRows, aCols] = a.shape as [number, number, number];
  const [nb, bRows, bCols] = b.shape as [number, number, number];
  const [M, K] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const [K2, N] = transposeB ? [bCols, bRows] : [bRows, bCols];
  if (a.shape.length !== 3 || b.shape.length !== 3 || n !== nb || K !== K2) throw new Error(`batchMatMul: shapes [${a.shape}] and [${b.shape}] do not match (transposeA ${transposeA}, transposeB ${transposeB})`);
  let wasmMatMul = exported.get(be.wasm);
  if (!wasmMatMul) exported.set(be.wasm, (wasmMatMul = be.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number'])));
  const out = be.makeOutput([n, M, N], 'float32');
  const aBase = heapOffset(be, a);
  const bBase = heapOffset(be, b);
  const outBase = heapOffset(be, out);
  // A pointer past 2 GiB comes back from wasm as a negative int32: `>>> 0` reads it as the address it is.
  const scratchA = transposeA ? be.wasm._malloc(4 * M * K) >>> 0 : 0;
  const scratchB = transposeB ? be.wasm._malloc(4 * K * N) >>> 0 : 0;
  const aShape = shapeBytes([1, M, K]);
  const bShape = shapeBytes([1, K, N]);
  const view = (offset: number, size: number) => {
    const id = be.dataIdNextNumber++;
    be.wasm.tfjs.registerTensor(id, size, offset);
    return id;
  };
  try {
    for (let i = 0; i < n; i++) {
      // The heap's buffer changes when wasm memory grows (XNNPACK allocates): take it afresh each time.
      const heap = new Float32Array(be.wasm.HEAPU8.buffer);
      let aPtr = aBase + 4 * i * M * K;
      let bPtr = bBase + 4 * i * K * N;
      if (transposeA) {
        transposeInto(heap, aPtr / 4, K, M, scratchA / 4);
        aPtr = scratchA;
      }
      if (transposeB) {
        transposeInto(heap, bPtr / 4, N, K, scratchB / 4);
        bPtr = scratchB;
      }
      const ids = [view(aPtr, M * K), view(bPtr, K * N), view(outBase + 4 * i * M * N, M * N)] as const;
      wasmMatMul(ids[0], aShape, 3, ids[1], bShape, 3, false, false, ids[2]);
      // Disposing the id frees nothing (the memory is the tensor's) but drops XNNPACK's operator, whose packed weights were this view's.
      for (const id of ids) be.wasm.tfjs.disposeData(id);
    }
  } finally {
    if (scratchA) be.wasm._free(scratchA);
    if (scratchB) be.wasm._free(scratchB);
  }
  return out;
}

const gradient: Omit<tf.GradConfig, 'kernelName'> = {
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved as [tf.Tensor3D, tf.Tensor3D];
    const d = dy as tf.Tensor3D;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    // The products of tfjs's own BatchMatMul gradient, each again a batchMatMul.
    if (!transposeA && !transposeB) return { a: () => batchMatMul(d, b, false, true), b: () => batchMatMul(a, d, true, false) };
    if (!transposeA && transposeB) return { a: () => batchMatMul(d, b, false, false), b: () => batchMatMul(d, a, true, false) };
    if (transposeA && !transposeB) return { a: () => batchMatMul(b, d, false, true), b: () => batchMatMul(a, d, false, false) };
    return { a: () => batchMatMul(b, d, true, true), b: () => batchMatMul(d, a, true, true) };
  },
};

/** a·b over a batch of matrices, as tf.matMul(a, b, transposeA, transposeB) for rank-3 tensors with the same batch. */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D, transposeA = false, transposeB = false): tf.Tensor3D {
  if (!onWasm(a, b) || a.size === 0 || b.size === 0) return tf.matMul(a, b, transposeA, transposeB);
  ensureKernel(KERNEL, wasmBatchMatMul, gradient);
  return tf.engine().runKernel(KERNEL, { a, b }, { transposeA, transposeB }) as tf.Tensor3D;
}
