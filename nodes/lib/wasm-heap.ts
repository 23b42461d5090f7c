/**
 * Access to the tensors of tfjs-backend-wasm's heap for Weft's own wasm kernels (gpt/batch-matmul.ts,
 * gpt/fused-ops.ts, train/adam-update.ts). These use package internals (BackendWasm's tensor map, its heap, its exported C
 * functions) of the pinned tfjs-backend-wasm 4.22; their tests compare every kernel with the plain
 * tfjs ops it replaces, forward and backward, so an upgrade that breaks them fails there.
 */
import { tf } from './backend.ts';

/** The parts of tfjs-backend-wasm's BackendWasm that Weft's kernels use. */
export interface WasmBackend {
  wasm: {
    HEAPU8: Uint8Array;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
    cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number; shape: number[] } };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

let enabled = true;

/** Turns Weft's own wasm kernels off or on: off, the plain tfjs ops run, as on other backends (tests compare the two). */
export function useWeftKernels(on: boolean): void {
  enabled = on;
}

/** Whether Weft's own kernels run: on the wasm backend, for float32 tensors; elsewhere the plain tfjs ops do. */
export const onWasm = (...tensors: tf.Tensor[]) => enabled && tf.getBackend() === 'wasm' && tensors.every((t) => t.dtype === 'float32');

/**
 * A bias the wasm backend's fused matMul accepts. That kernel checks the rank of the shape its data was
 * made with, not the tensor's: a rank-1 tensor that shares data made in another shape (tf.gather on wasm
 * reshapes through 4-D, so a bias cut by structured pruning) is refused. Such a bias gets its own data.
 */
export function rank1Bias(b: tf.Tensor): tf.Tensor {
  if (tf.getBackend() !== 'wasm') return b;
  const data = (tf.backend() as unknown as WasmBackend).dataIdMap.get(b.dataId);
  return data && data.shape.length !== 1 ? tf.add(b, tf.scalar(0, b.dtype)) : b;
}

/** Byte offset of a tensor's data in the wasm heap. */
export const heapOffset = (be: WasmBackend, t: tf.TensorInfo) => be.dataIdMap.get(t.dataId).memoryOffset;

/**
 * A float32 view of a tensor's data. Take views after every allocation of the kernel (makeOutput,
 * _malloc): growing the wasm memory replaces the heap's buffer and detaches older views.
 */
export const heapFloats = (be: WasmBackend, t: tf.TensorInfo) => new Float32Array(be.wasm.HEAPU8.buffer, heapOffset(be, t), t.shape.reduce((a, b) => a * b, 1));

type HeapKernel = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => tf.TensorInfo | tf.TensorInfo[];

const registered = new Set<string>();

/** Registers a wasm kernel (and its gradient) once, on first use. */
export function ensureKernel(kernelName: string, kernelFunc: HeapKernel, grad?: Omit<tf.GradConfig, 'kernelName'>): void {
  if (registered.has(kernelName)) return;
  registered.add(kernelName);
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  if (grad) tf.registerGradient({ kernelName, ...grad });
}
