/**
 * WebGPU through Dawn (the npm package `webgpu`): any vendor's GPU via Vulkan, Metal or D3D12, no
 * CUDA toolkit. The worker's environment must let Dawn find a Vulkan loader on Linux
 * (src-main/engine/worker/vulkan-env.ts, applied before the worker starts).
 */
import type { GpuAdapterInfo } from '../sdk/index.ts';
import { recordDeviceFailure } from './device-state.ts';

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

let dawn: DawnModule | null | undefined;

/** Loads Dawn once; null when the package or its native binary cannot load on this platform. */
export async function loadDawn(): Promise<DawnModule | null> {
  if (dawn !== undefined) return dawn;
  try {
    const mod = (await import('webgpu')) as unknown as DawnModule;
    // tfjs-backend-webgpu reads GPUBufferUsage and friends as globals, as in a browser.
    Object.assign(globalThis, mod.globals);
    dawn = mod;
  } catch {
    dawn = null;
  }
  return dawn;
}

/** Dawn lists the adapters it can see in the error of a request for one that does not exist. */
export async function listAdapterNames(): Promise<string[]> {
  const d = await loadDawn();
  if (!d) return [];
  try {
    await d.create(['adapter=\u0001no-such-adapter']).requestAdapter();
    return [];
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    return [...text.matchAll(/\* backend: '[^']*', name: '([^']*)'/g)].map((m) => m[1]!).filter((n, i, all) => all.indexOf(n) === i);
  }
}

export interface OpenedAdapter {
  gpu: GPU;
  adapter: GPUAdapter;
  info: GpuAdapterInfo;
}

const SOFTWARE_NAME = /swiftshader|llvmpipe|lavapipe|software/i;

function describeAdapter(adapter: GPUAdapter): GpuAdapterInfo {
  const i = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const software = !!i.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|software|basic render/i.test(`${i.vendor} ${i.architecture} ${i.description}`);
  return {
    vendor: i.vendor,
    architecture: i.architecture,
    description: i.description,
    software,
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
  };
}

/** The adapter at `index` among those Dawn lists (names select it), else the high-performance default. */
export async function openAdapter(index = 0): Promise<OpenedAdapter | null> {
  const d = await loadDawn();
  if (!d) return null;
  // Index among hardware adapters: a software one (lavapipe, SwiftShader) never takes a heavy node's GPU slot.
  // A worker bound to one GPU through Vulkan's environment (gpu-inventory.ts) sees only that one.
  const names = index > 0 ? (await listAdapterNames()).filter((n) => !SOFTWARE_NAME.test(n)) : [];
  const name = names.length ? names[index % names.length] : undefined;
  try {
    const gpu = d.create(name ? [`adapter=${name}`] : []);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    return adapter ? { gpu, adapter, info: describeAdapter(adapter) } : null;
  } catch {
    return null;
  }
}

/** Opens a device with the adapter's own limits (the defaults cap buffers at 256 MiB) and watches for its loss. */
export async function openDevice(adapter: GPUAdapter): Promise<GPUDevice> {
  const l = adapter.limits;
  const requiredFeatures = (['timestamp-query'] as GPUFeatureName[]).filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      // AddN of many gradients (tied embeddings) binds one storage buffer per input: the default 8 is too few.
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    },
  });
  void device.lost.then((lost) => {
    if (lost.reason !== 'destroyed') recordDeviceFailure(`the GPU device was lost (${lost.message || lost.reason})`);
  });
  device.addEventListener('uncapturederror', (event) => {
    const error = (event as GPUUncapturedErrorEvent).error;
    if (error instanceof GPUOutOfMemoryError || /out of memory/i.test(error.message)) recordDeviceFailure(`the GPU ran out of memory (${error.message})`);
  });
  return device;
}

/** tfjs-backend-webgpu checks for navigator.gpu, as in a browser (Node 20 has no navigator at all). */
export function exposeNavigatorGpu(gpu: GPU): void {
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  else Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
}
