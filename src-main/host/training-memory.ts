/**
 * What validation's memory check measures training against, before any worker starts: the device a
 * node will train on, as far as the host can tell without probing the GPU (which takes a worker and
 * seconds). Runs again, exactly, in the trainer when it knows its backend (nodes/lib/train/memory-check.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import type { DevicePreference, ValidationMemory } from '../../nodes/sdk/index.ts';
import { GPU_USABLE_SHARE, WASM_BUDGET } from '../../nodes/lib/memory-estimate.ts';
import { packageInstalled } from '../../nodes/lib/package-installed.ts';
import { machineGpus, type PlatformGpu } from '../../nodes/lib/gpu-inventory.ts';

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
  /** The GPU's memory (WebGPU does not report it): WEFT_GPU_MEMORY_GIB, else what the platform says. */
  gpuMemoryGiB?: number;
  /** Where gpuMemoryGiB comes from, for messages: "WEFT_GPU_MEMORY_GIB", "nvidia-smi", "the driver". */
  gpuMemorySource?: string;
}

/**
 * The memory a heavy node can count on, from the platform's GPUs (nvidia-smi, amdgpu): the smallest
 * of the GPUs heavy nodes are spread over, since validation cannot know which one a node will get.
 * Integrated GPUs are left out when discrete ones exist (the assignment leaves them out too).
 */
export function platformGpuMemory(gpus: PlatformGpu[]): { gib: number; source: string } | undefined {
  const discrete = gpus.filter((g) => g.vendor !== 'intel');
  const sized = (discrete.length ? discrete : gpus).filter((g) => g.memoryBytes !== undefined);
  if (!sized.length) return undefined;
  const smallest = sized.reduce((a, b) => (b.memoryBytes! < a.memoryBytes! ? b : a));
  return { gib: Number((smallest.memoryBytes! / GIB).toFixed(1)), source: smallest.vendor === 'nvidia' ? 'nvidia-smi' : 'the driver' };
}

export function machineFacts(gpus: () => PlatformGpu[] = () => machineGpus().gpus): MachineFacts {
  const gib = Number(process.env.WEFT_GPU_MEMORY_GIB);
  const memory = gib > 0 ? { gib, source: 'WEFT_GPU_MEMORY_GIB' } : platformGpuMemory(gpus());
  return {
    tensorflow: packageInstalled('@tensorflow/tfjs-node') || packageInstalled('@tensorflow/tfjs-node-gpu'),
    gpuMayBePresent: gpuMayBePresent() || memory !== undefined,
    ...(memory ? { gpuMemoryGiB: memory.gib, gpuMemorySource: memory.source } : {}),
  };
}

/**
 * The budget of the device a node asks for. CPU (and Auto on a machine with no GPU) means the wasm
 * backend's heap; GPU means the GPU's memory when known (WEFT_GPU_MEMORY_GIB, nvidia-smi, amdgpu). Auto on a machine that may have a GPU is
 * checked against the wasm heap as the likely fallback, which makes an overflow a warning only.
 */
export function trainingMemoryFor(machine: MachineFacts): (device: DevicePreference) => ValidationMemory | undefined {
  return (device) => {
    // TensorFlow's CPU kernels use the machine's memory, with no heap cap to check against.
    if (machine.tensorflow) return undefined;
    const gpu = machine.gpuMemoryGiB
      ? { totalBytes: machine.gpuMemoryGiB * GIB * GPU_USABLE_SHARE, describe: () => `the GPU's ${machine.gpuMemoryGiB} GiB (${machine.gpuMemorySource ?? 'WEFT_GPU_MEMORY_GIB'})` }
      : undefined;
    if (device === 'cpu' || !machine.gpuMayBePresent) return WASM_BUDGET;
    if (device === 'gpu') return gpu;
    return gpu ?? { ...WASM_BUDGET, likely: 'if no GPU is found, training runs on the CPU (wasm backend), where ' };
  };
}
