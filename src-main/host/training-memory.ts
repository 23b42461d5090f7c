/**
 * What validation's memory check measures training against, before any worker starts: the device a
 * node will train on, as far as the host can tell without probing the GPU (which takes a worker and
 * seconds). Runs again, exactly, in the trainer when it knows its backend (nodes/lib/train/memory-check.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import type { DevicePreference, ValidationMemory } from '../../nodes/sdk/index.ts';
import { GPU_USABLE_SHARE, WASM_BUDGET } from '../../nodes/lib/memory-estimate.ts';
import { packageInstalled } from '../../nodes/lib/package-installed.ts';

const GIB = 1024 ** 3;


/** Whether a GPU may be there: on Linux a GPU shows as a render node or an NVIDIA device; elsewhere assume one may. */
export function gpuMayBePresent(platform: NodeJS.Platform = process.platform, dev = '/dev'): boolean {
  if (platform !== 'linux') return true;
  if (existsSync(`${dev}/nvidia0`)) return true;
  try {
    return readdirSync(`${dev}/dri`).some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}

export interface MachineFacts {
  /** TensorFlow's native package is installed: training uses the machine's RAM, not a capped heap. */
  tensorflow: boolean;
  gpuMayBePresent: boolean;
  /** WEFT_GPU_MEMORY_GIB: the GPU's memory where WebGPU does not report it. */
  gpuMemoryGiB?: number;
}

export function machineFacts(): MachineFacts {
  const gib = Number(process.env.WEFT_GPU_MEMORY_GIB);
  return {
    tensorflow: packageInstalled('@tensorflow/tfjs-node') || packageInstalled('@tensorflow/tfjs-node-gpu'),
    gpuMayBePresent: gpuMayBePresent(),
    ...(gib > 0 ? { gpuMemoryGiB: gib } : {}),
  };
}

/**
 * The budget of the device a node asks for. CPU (and Auto on a machine with no GPU) means the wasm
 * backend's heap; GPU means WEFT_GPU_MEMORY_GIB when set. Auto on a machine that may have a GPU is
 * checked against the wasm heap as the likely fallback, which makes an overflow a warning only.
 */
export function trainingMemoryFor(machine: MachineFacts): (device: DevicePreference) => ValidationMemory | undefined {
  return (device) => {
    // TensorFlow's CPU kernels use the machine's memory, with no heap cap to check against.
    if (machine.tensorflow) return undefined;
    const gpu = machine.gpuMemoryGiB
      ? { totalBytes: machine.gpuMemoryGiB * GIB * GPU_USABLE_SHARE, describe: () => `the GPU's ${machine.gpuMemoryGiB} GiB (WEFT_GPU_MEMORY_GIB)` }
      : undefined;
    if (device === 'cpu' || !machine.gpuMayBePresent) return WASM_BUDGET;
    if (device === 'gpu') return gpu;
    return gpu ?? { ...WASM_BUDGET, likely: 'if no GPU is found, training runs on the CPU (wasm backend), where ' };
  };
}
