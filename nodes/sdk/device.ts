/**
 * Which device computes a node: the user's choice (graph-wide, overridable per node) and what a
 * worker actually used, as stored in the run record and shown in the editor.
 */
import { z } from 'zod';

/** Auto takes the best rung (a real GPU first); GPU refuses to fall back to a CPU; CPU never touches a GPU. */
export const DEVICE_PREFERENCES = ['auto', 'gpu', 'cpu'] as const;
export type DevicePreference = (typeof DEVICE_PREFERENCES)[number];
export const devicePreferenceSchema = z.enum(DEVICE_PREFERENCES);

/** What a worker is asked for a job: the preference and, with several GPUs, which adapter (round-robin). */
export interface DeviceRequest {
  preference: DevicePreference;
  /** Index among the WebGPU adapters the host found; absent: the first. */
  gpuIndex?: number;
}

export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** A software rasteriser (SwiftShader) or a fallback adapter: a GPU API, but the CPU computes. */
  software: boolean;
  maxBufferSize?: number;
  maxStorageBufferBindingSize?: number;
}

/** The device one node ran on. */
export interface DeviceInfo {
  /** tfjs backend: tensorflow, webgpu, wasm or cpu. */
  backend: string;
  /** The WebGPU adapter, when the backend is webgpu. */
  adapter?: GpuAdapterInfo;
  gpuIndex?: number;
  /** With the tensorflow backend: whether TensorFlow found a CUDA GPU (false: its CPU kernels). */
  tensorflowGpu?: boolean;
}

/** One line for a node badge and run history: "webgpu · NVIDIA (hopper)", "tensorflow (CPU)", "wasm". */
export function describeDevice(d: DeviceInfo): string {
  if (d.backend === 'tensorflow') return `tensorflow (${d.tensorflowGpu ? 'CUDA GPU' : 'CPU'})`;
  if (d.backend === 'webgpu' && d.adapter) {
    const name = d.adapter.description || [d.adapter.vendor, d.adapter.architecture].filter(Boolean).join(' ') || 'GPU';
    const index = d.gpuIndex !== undefined && d.gpuIndex > 0 ? ` #${d.gpuIndex}` : '';
    return `webgpu${index} · ${name}${d.adapter.software ? ' (software, CPU)' : ''}`;
  }
  return d.backend;
}

/** Whether the device computed on a GPU (what "GPU" in the UI means). */
export function ranOnGpu(d: DeviceInfo): boolean {
  return (d.backend === 'webgpu' && !!d.adapter && !d.adapter.software) || (d.backend === 'tensorflow' && !!d.tensorflowGpu);
}

/** What this machine offers for tensor work (`weft doctor`, the editor's Hardware panel). */
export interface HardwareReport {
  /** WebGPU adapters Dawn found, in its order (the index a node's gpuIndex names). */
  gpus: GpuAdapterInfo[];
  /** Where the Vulkan loader comes from on Linux (none: WebGPU cannot reach a Linux GPU). */
  vulkanLoader: 'system' | 'bundled' | 'none' | 'not-linux';
  /** Which TensorFlow native package is installed, and whether it found a CUDA GPU. */
  tensorflow: { installed: 'gpu' | 'cpu' | null; cudaGpu: boolean; error?: string };
  wasm: boolean;
  /** The rung Auto picks on this machine, in words. */
  auto: string;
  /**
   * The GPUs the platform reports (nvidia-smi, NVIDIA's and the kernel's files), with memory where it
   * says, and how many of them heavy nodes are spread over (gpuCount) and how a worker is bound to one.
   */
  platform?: {
    gpus: Array<{ vendor: string; name: string; pciAddress: string; memoryBytes?: number }>;
    gpuCount: number;
    binding: 'device-select' | 'adapter-name' | 'single';
  };
  /** One line of advice per missing piece. */
  advice: string[];
}
