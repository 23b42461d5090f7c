/**
 * Looks at what this machine offers for tensor work: WebGPU adapters (Dawn), TensorFlow's native
 * packages and whether they see CUDA, the wasm fallback. Runs in a process started with Vulkan's
 * environment (see src-main/cli/doctor.ts), since Dawn reads it at start.
 */
import type { GpuAdapterInfo, HardwareReport } from '../sdk/index.ts';
import { listAdapterNames, openAdapter } from './webgpu.ts';
import { machineGpus } from './gpu-inventory.ts';
import { packageInstalled } from './package-installed.ts';



async function webgpuAdapters(): Promise<GpuAdapterInfo[]> {
  const names = await listAdapterNames();
  const found: GpuAdapterInfo[] = [];
  for (let i = 0; i < Math.max(names.length, 1); i++) {
    const opened = await openAdapter(i);
    if (opened) found.push(opened.info);
  }
  return found;
}

async function tensorflowStatus(): Promise<HardwareReport['tensorflow']> {
  const installed = packageInstalled('@tensorflow/tfjs-node-gpu') ? 'gpu' : packageInstalled('@tensorflow/tfjs-node') ? 'cpu' : null;
  if (!installed) return { installed, cudaGpu: false };
  try {
    const { loadTensorflow } = await import('./backend.ts');
    const t = await loadTensorflow();
    return t ? { installed, cudaGpu: t.gpu } : { installed, cudaGpu: false, error: 'installed, but its native library did not load' };
  } catch (err) {
    return { installed, cudaGpu: false, error: (err as Error).message };
  }
}

export async function probeHardware(vulkanLoader: HardwareReport['vulkanLoader']): Promise<HardwareReport> {
  const gpus = await webgpuAdapters();
  const tensorflow = await tensorflowStatus();
  const wasm = packageInstalled('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
  const hardware = gpus.filter((g) => !g.software);
  const machine = machineGpus();
  const advice: string[] = [];
  if (machine.assignment.note) advice.push(`Several GPUs: ${machine.assignment.note}`);
  if (!hardware.length) {
    if (vulkanLoader === 'none') advice.push('WebGPU: no Vulkan loader (libvulkan.so.1): install your distribution\'s vulkan loader package (libvulkan1 / vulkan-loader) and your GPU driver\'s Vulkan support.');
    else advice.push('WebGPU: no hardware GPU adapter found: install or update the GPU driver with Vulkan (Linux), Metal (macOS) or D3D12 (Windows) support.');
  }
  if (!tensorflow.installed) advice.push('TensorFlow: not installed (optional). With an NVIDIA GPU and CUDA 11.2 + cuDNN 8.1: npm install @tensorflow/tfjs-node-gpu; on a CPU: @tensorflow/tfjs-node.');
  else if (tensorflow.installed === 'gpu' && !tensorflow.cudaGpu) advice.push('TensorFlow: tfjs-node-gpu is installed but sees no CUDA GPU (libtensorflow 2.9 needs CUDA 11.2 and cuDNN 8.1); WebGPU uses the GPU instead.');
  if (!wasm) advice.push('wasm: @tensorflow/tfjs-backend-wasm is missing: reinstall Weft (npm ci); training falls back to the slow cpu backend.');
  const auto = tensorflow.cudaGpu
    ? 'tensorflow (CUDA GPU)'
    : hardware[0]
      ? `webgpu · ${hardware[0].description || hardware[0].vendor}`
      : tensorflow.installed
        ? 'tensorflow (CPU)'
        : wasm
          ? 'wasm (CPU)'
          : 'cpu';
  const platform = { gpus: machine.gpus, gpuCount: machine.assignment.count, binding: machine.assignment.method };
  return { gpus, vulkanLoader, tensorflow, wasm, auto, advice, platform };
}
