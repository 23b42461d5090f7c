/**
 * The tensor backend ladder: tensorflow (tfjs-node-gpu, else tfjs-node, when installed) -> webgpu
 * (Dawn: any vendor's GPU, no CUDA) -> wasm -> cpu. The job's device request (Auto, GPU, CPU; set by
 * the worker from the graph) picks the rungs allowed; the device used goes into the run record.
 *
 * Auto prefers a real GPU: TensorFlow on CUDA, else WebGPU on a hardware adapter, and only then a
 * CPU TensorFlow. A software WebGPU adapter (SwiftShader) counts as a GPU only when asked for
 * (WEFT_WEBGPU_SWIFTSHADER=1, as tests do, or WEFT_BACKEND=webgpu).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradients; the umbrella package's Node bundle registers them all.
import '@tensorflow/tfjs';
import type { DeviceInfo, DevicePreference, GpuAdapterInfo } from '../sdk/index.ts';
import { deviceRequest, recordDeviceUsed } from './device-state.ts';
import { exposeNavigatorGpu, openAdapter, openDevice } from './webgpu.ts';
import { patchWebgpuKernels } from './webgpu-kernels.ts';

export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export { tf };

const require = createRequire(import.meta.url);

/** Whether the tensorflow backend could be registered, and whether it sees a CUDA GPU. */
let tensorflow: Promise<{ gpu: boolean } | null> | null = null;
export function loadTensorflow(): Promise<{ gpu: boolean } | null> {
  tensorflow ??= (async () => {
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        // These packages register the 'tensorflow' backend on import; they are optional dependencies.
        await import(pkg);
        if (!(await tf.setBackend('tensorflow'))) continue;
        // libtensorflow without a usable CUDA (wrong version, no cuDNN) runs its CPU kernels: tell them apart.
        const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
        return { gpu: pkg.endsWith('-gpu') && backend.isUsingGpuDevice === true };
      } catch {
        // Not installed (or its native library failed to load): next package.
      }
    }
    return null;
  })();
  return tensorflow;
}

let wasmRegistered: Promise<boolean> | null = null;
async function tryWasm(): Promise<boolean> {
  wasmRegistered ??= (async () => {
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      wasm.setWasmPaths(join(dist, '/'));
      return true;
    } catch {
      return false;
    }
  })();
  return (await wasmRegistered) && (await tf.setBackend('wasm'));
}

/** The webgpu backend bound to one adapter; rebound when a job asks for another (or the device was lost). */
let webgpu: { index: number; info: GpuAdapterInfo; lost: boolean } | null = null;
async function tryWebgpu(index: number, allowSoftware: boolean): Promise<GpuAdapterInfo | null> {
  if (webgpu && webgpu.index === index && !webgpu.lost) return (await tf.setBackend('webgpu')) ? webgpu.info : null;
  const opened = await openAdapter(index);
  if (!opened || (opened.info.software && !allowSoftware)) return null;
  try {
    // Imported with no navigator.gpu: its kernels register, its own adapter-picking factory does not.
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    const device = await openDevice(opened.adapter);
    exposeNavigatorGpu(opened.gpu);
    patchWebgpuKernels(device.limits.maxStorageBuffersPerShaderStage);
    const state = { index, info: opened.info, lost: false };
    void device.lost.then(() => (state.lost = true));
    tf.registerBackend('webgpu', () => new WebGPUBackend(device, opened.adapter.info), 0);
    if (!(await tf.setBackend('webgpu'))) return null;
    webgpu = state;
    return opened.info;
  } catch {
    return null;
  }
}

function softwareGpuAllowed(): boolean {
  return process.env.WEFT_WEBGPU_SWIFTSHADER === '1' || process.env.WEFT_BACKEND === 'webgpu';
}

async function setCpu(): Promise<DeviceInfo> {
  await tf.setBackend('cpu');
  return { backend: 'cpu' };
}

/** Runs the ladder for one preference; WEFT_BACKEND (benchmarks, tests) names one rung outright. */
async function choose(preference: DevicePreference, gpuIndex: number): Promise<DeviceInfo> {
  const forced = process.env.WEFT_BACKEND as BackendName | undefined;
  if (forced) {
    if (forced === 'tensorflow') {
      const t = await loadTensorflow();
      if (t) return { backend: 'tensorflow', tensorflowGpu: t.gpu };
    } else if (forced === 'webgpu') {
      const adapter = await tryWebgpu(gpuIndex, true);
      if (adapter) return { backend: 'webgpu', adapter, gpuIndex };
    } else if (forced === 'wasm' && (await tryWasm())) return { backend: 'wasm' };
    if (forced !== 'cpu') throw new Error(`WEFT_BACKEND=${forced}: that backend is not available on this machine (run \`weft doctor\`)`);
    return setCpu();
  }
  if (preference !== 'cpu') {
    const t = await loadTensorflow();
    if (t?.gpu && (await tf.setBackend('tensorflow'))) return { backend: 'tensorflow', tensorflowGpu: true };
    const adapter = await tryWebgpu(gpuIndex, softwareGpuAllowed());
    if (adapter) return { backend: 'webgpu', adapter, gpuIndex };
    if (preference === 'gpu') {
      throw new Error(
        'this node is set to run on a GPU, but none was found: neither TensorFlow with CUDA nor WebGPU sees one. Run `weft doctor` to see why, or set the device to Auto or CPU',
      );
    }
    if (t && (await tf.setBackend('tensorflow'))) return { backend: 'tensorflow', tensorflowGpu: false };
  }
  if (await tryWasm()) return { backend: 'wasm' };
  return setCpu();
}

let chosen: { key: string; info: Promise<DeviceInfo> } | null = null;

/** Picks the backend for the current job's device request (once per request) and returns its full description. */
export async function useDevice(): Promise<DeviceInfo> {
  const req = deviceRequest();
  const gpuIndex = req.gpuIndex ?? 0;
  const key = `${req.preference}/${gpuIndex}/${process.env.WEFT_BACKEND ?? ''}`;
  const lost = webgpu?.lost === true;
  if (!chosen || chosen.key !== key || lost) {
    chosen = { key, info: choose(req.preference, gpuIndex) };
    chosen.info.catch(() => (chosen = null));
  }
  const info = await chosen.info;
  // Another job in this worker may have switched backends since: switch back (a no-op when unchanged).
  if (tf.getBackend() !== info.backend) await tf.setBackend(info.backend);
  await tf.ready();
  recordDeviceUsed(info);
  return info;
}

/** Picks the backend (see useDevice) and returns its name. */
export async function useBestBackend(): Promise<BackendName> {
  return (await useDevice()).backend as BackendName;
}
