/**
 * The GPUs a machine has, as its platform reports them (not WebGPU, which tells neither how many
 * identical cards there are apart nor how much memory each holds): NVIDIA's driver files and
 * `nvidia-smi`, and the kernel's DRM devices (AMD and Intel; AMD's amdgpu also gives VRAM size).
 * Light on purpose (no tfjs, no Dawn): the host counts GPUs with it before any worker starts, and a
 * worker reads device memory with it for the memory pre-flight.
 *
 * Every source is read through `PlatformReader`, so tests give it faked files and command output.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface PlatformGpu {
  vendor: 'nvidia' | 'amd' | 'intel' | 'other';
  name: string;
  /** PCI address, domain:bus:device.function in lower case ("0000:17:00.0"); the key that merges sources. */
  pciAddress: string;
  /** Device memory in bytes, where the platform says it (nvidia-smi, amdgpu's mem_info_vram_total). */
  memoryBytes?: number;
}

/** How the inventory reads the machine; tests pass fakes. */
export interface PlatformReader {
  read(path: string): string | null;
  list(dir: string): string[];
  /** The real path of a link (the PCI device behind /sys/class/drm/cardN/device). */
  resolve(path: string): string | null;
  /** Runs a command and returns its stdout, or null when it is missing, fails or takes over 5 s. */
  run(command: string, args: string[]): string | null;
}

export const systemReader: PlatformReader = {
  read: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  },
  list: (dir) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
  resolve: (path) => {
    try {
      return realpathSync(path);
    } catch {
      return null;
    }
  },
  run: (command, args) => {
    try {
      return execFileSync(command, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return null;
    }
  },
};

const VENDOR_IDS: Record<string, PlatformGpu['vendor']> = { '0x10de': 'nvidia', '0x1002': 'amd', '0x8086': 'intel' };
const MIB = 1024 ** 2;

/** "00000000:17:00.0" (nvidia-smi's 8-digit domain) or "0000:17:00.0" -> "0000:17:00.0". */
export function normalisePci(address: string): string {
  const m = /([0-9a-f]+):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])/i.exec(address.trim());
  if (!m) return address.trim().toLowerCase();
  return `${m[1]!.slice(-4).padStart(4, '0')}:${m[2]}:${m[3]}.${m[4]}`.toLowerCase();
}

/** `nvidia-smi --query-gpu=name,pci.bus_id,memory.total --format=csv,noheader,nounits` (memory in MiB). */
export function parseNvidiaSmi(csv: string): PlatformGpu[] {
  return csv
    .split('\n')
    .map((line) => line.split(',').map((f) => f.trim()))
    .filter((f) => f.length >= 3 && f[1])
    .map(([name, bus, mib]) => ({ vendor: 'nvidia' as const, name: name!, pciAddress: normalisePci(bus!), ...(Number(mib) > 0 ? { memoryBytes: Number(mib) * MIB } : {}) }));
}

/** /proc/driver/nvidia/gpus/<bus>/information: "Model: NVIDIA H200" and "Bus Location: 0000:17:00.0". */
function nvidiaProcGpus(r: PlatformReader): PlatformGpu[] {
  const dir = '/proc/driver/nvidia/gpus';
  return r.list(dir).flatMap((entry) => {
    const info = r.read(join(dir, entry, 'information')) ?? '';
    const model = /^Model:\s*(.+)$/m.exec(info)?.[1]?.trim();
    const bus = /^Bus Location:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? entry;
    return model || info ? [{ vendor: 'nvidia' as const, name: model ?? 'NVIDIA GPU', pciAddress: normalisePci(bus) }] : [];
  });
}

/** /sys/class/drm/cardN/device: PCI vendor, and amdgpu's VRAM size; render-only and connector entries skipped. */
function drmGpus(r: PlatformReader): PlatformGpu[] {
  const dir = '/sys/class/drm';
  return r
    .list(dir)
    .filter((e) => /^card\d+$/.test(e))
    .flatMap((card) => {
      const device = join(dir, card, 'device');
      const vendorId = r.read(join(device, 'vendor'))?.trim().toLowerCase();
      if (!vendorId) return [];
      const vendor = VENDOR_IDS[vendorId] ?? 'other';
      const vram = Number(r.read(join(device, 'mem_info_vram_total'))?.trim());
      const pci = basename(r.resolve(device) ?? r.read(join(device, 'uevent'))?.match(/PCI_SLOT_NAME=(.+)/)?.[1] ?? card);
      const deviceId = r.read(join(device, 'device'))?.trim() ?? '';
      return [{ vendor, name: `${vendor === 'other' ? vendorId : vendor.toUpperCase()} GPU ${deviceId}`.trim(), pciAddress: normalisePci(pci), ...(vram > 0 ? { memoryBytes: vram } : {}) }];
    });
}

/**
 * The machine's GPUs, one per PCI address. NVIDIA's come from nvidia-smi when it answers (names and
 * memory), else from the driver's /proc files (names only); AMD and Intel from DRM, where amdgpu
 * states VRAM. An Intel integrated GPU is listed (WebGPU sees it too) but has no memory of its own.
 */
export function probePlatformGpus(r: PlatformReader = systemReader): PlatformGpu[] {
  const byPci = new Map<string, PlatformGpu>();
  const smi = r.run('nvidia-smi', ['--query-gpu=name,pci.bus_id,memory.total', '--format=csv,noheader,nounits']);
  const nvidia = smi ? parseNvidiaSmi(smi) : [];
  for (const g of nvidia.length ? nvidia : nvidiaProcGpus(r)) byPci.set(g.pciAddress, g);
  for (const g of drmGpus(r)) {
    const known = byPci.get(g.pciAddress);
    // The DRM entry of an NVIDIA card (nvidia-drm) adds nothing to what NVIDIA's own sources said.
    if (!known) byPci.set(g.pciAddress, g);
    else if (known.memoryBytes === undefined && g.memoryBytes !== undefined) known.memoryBytes = g.memoryBytes;
  }
  return [...byPci.values()].sort((a, b) => a.pciAddress.localeCompare(b.pciAddress));
}

let cached: PlatformGpu[] | null = null;
/** probePlatformGpus once per process (nvidia-smi takes a moment). */
export function platformGpus(): PlatformGpu[] {
  cached ??= probePlatformGpus();
  return cached;
}

/**
 * The memory of the GPU a WebGPU adapter stands for, where the platform says it. The adapter names
 * its vendor but not its PCI address, so with several GPUs of that vendor the smallest is taken: a
 * plan that fits the smallest fits whichever one the adapter is.
 */
export function adapterMemoryBytes(adapterVendor: string, gpus: PlatformGpu[] = platformGpus()): { bytes: number; gpu: PlatformGpu } | null {
  const vendor = adapterVendor.toLowerCase();
  const matching = gpus.filter((g) => g.memoryBytes !== undefined && (vendor.includes(g.vendor) || (g.vendor === 'amd' && vendor.includes('ati'))));
  if (!matching.length) return null;
  const gpu = matching.reduce((a, b) => (b.memoryBytes! < a.memoryBytes! ? b : a));
  return { bytes: gpu.memoryBytes!, gpu };
}

/** Where Mesa's Vulkan device-select layer is installed (it reorders and filters Vulkan devices for every driver). */
const DEVICE_SELECT_LAYER_DIRS = ['/usr/share/vulkan/implicit_layer.d', '/etc/vulkan/implicit_layer.d', '/usr/local/share/vulkan/implicit_layer.d'];

export function hasMesaDeviceSelect(r: PlatformReader = systemReader): boolean {
  return DEVICE_SELECT_LAYER_DIRS.some((d) => r.list(d).some((f) => /^VkLayer_MESA_device_select.*\.json$/.test(f)));
}

export interface GpuAssignment {
  /** How many GPUs heavy nodes can be spread over (at least 1). */
  count: number;
  /** How a worker is bound to its GPU: Mesa's device-select layer (by PCI address), Dawn's adapter name, or not at all. */
  method: 'device-select' | 'adapter-name' | 'single';
  /** Per GPU index: what to add to a worker's environment so that Vulkan shows it that GPU first (and only). */
  env: Array<Record<string, string>>;
  /** Why fewer GPUs are used than the machine has, in words; absent when all are used. */
  note?: string;
}

/**
 * How heavy nodes can be spread over this machine's GPUs. Dawn's `adapter=` flag selects by name (the
 * first adapter whose name contains it), so two identical cards cannot be told apart through it; Mesa's
 * device-select layer can (DRI_PRIME=pci-DDDD_BB_DD_F with MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE=1
 * leaves only that device in vkEnumeratePhysicalDevices), for any Vulkan driver, NVIDIA's included.
 * Integrated GPUs are left out when discrete ones exist: a heavy node would crawl there.
 */
export function gpuAssignment(gpus: PlatformGpu[], deviceSelectLayer: boolean): GpuAssignment {
  const discrete = gpus.filter((g) => g.vendor !== 'intel');
  const usable = discrete.length ? discrete : gpus;
  if (usable.length <= 1) return { count: 1, method: 'single', env: [] };
  if (deviceSelectLayer) {
    const env = usable.map((g) => ({ DRI_PRIME: `pci-${g.pciAddress.replace(/[:.]/g, '_')}`, MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE: '1' }));
    return { count: usable.length, method: 'device-select', env };
  }
  const distinct = new Set(usable.map((g) => g.name)).size === usable.length;
  if (distinct) return { count: usable.length, method: 'adapter-name', env: [] };
  return {
    count: 1,
    method: 'single',
    env: [],
    note: `${usable.length} GPUs of the same name (${usable[0]!.name}): WebGPU (Dawn) selects adapters by name only, so only the first is used. Install Mesa's Vulkan device-select layer (Debian/Ubuntu: mesa-vulkan-drivers) to use all ${usable.length}.`,
  };
}

/** The inventory and assignment of this machine, as the host uses them. */
export function machineGpus(r: PlatformReader = systemReader): { gpus: PlatformGpu[]; assignment: GpuAssignment } {
  const gpus = r === systemReader ? platformGpus() : probePlatformGpus(r);
  return { gpus, assignment: gpuAssignment(gpus, hasMesaDeviceSelect(r)) };
}
