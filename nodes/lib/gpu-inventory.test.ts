/** The GPU inventory from faked platform files and command output: counts, memory, and how workers are bound to a GPU. */
import { describe, expect, it } from 'vitest';
import { gpuAssignment, hasMesaDeviceSelect, machineGpus, parseNvidiaSmi, probePlatformGpus, type PlatformReader } from './gpu-inventory.ts';

/** A machine made of files (path -> text), links (path -> target) and command outputs. */
function fakeMachine(files: Record<string, string>, opts: { links?: Record<string, string>; smi?: string | null } = {}): PlatformReader {
  return {
    read: (p) => files[p] ?? null,
    list: (dir) => [...new Set(Object.keys(files).filter((p) => p.startsWith(`${dir}/`)).map((p) => p.slice(dir.length + 1).split('/')[0]!))],
    resolve: (p) => opts.links?.[p] ?? null,
    run: (cmd) => (cmd === 'nvidia-smi' ? (opts.smi ?? null) : null),
  };
}

const TWO_H200 = 'NVIDIA H200, 00000000:17:00.0, 143771\nNVIDIA H200, 00000000:2A:00.0, 143771\n';

describe('GPU inventory', () => {
  it("reads nvidia-smi's csv: names, PCI addresses, memory in bytes", () => {
    expect(parseNvidiaSmi(TWO_H200)).toEqual([
      { vendor: 'nvidia', name: 'NVIDIA H200', pciAddress: '0000:17:00.0', memoryBytes: 143771 * 1024 ** 2 },
      { vendor: 'nvidia', name: 'NVIDIA H200', pciAddress: '0000:2a:00.0', memoryBytes: 143771 * 1024 ** 2 },
    ]);
  });

  it("merges NVIDIA's and the kernel's view of the same card by PCI address, and lists an AMD card with its VRAM", () => {
    const machine = fakeMachine(
      {
        '/sys/class/drm/card0/device/vendor': '0x10de\n',
        '/sys/class/drm/card0/device/device': '0x2335\n',
        '/sys/class/drm/card1/device/vendor': '0x1002\n',
        '/sys/class/drm/card1/device/device': '0x7480\n',
        '/sys/class/drm/card1/device/mem_info_vram_total': `${8 * 1024 ** 3}\n`,
        '/sys/class/drm/renderD128/device/vendor': '0x1002\n',
        '/sys/class/drm/card1-DP-1/status': 'connected\n',
      },
      { links: { '/sys/class/drm/card0/device': '/sys/devices/pci0000:00/0000:17:00.0', '/sys/class/drm/card1/device': '/sys/devices/pci0000:00/0000:03:00.0' }, smi: 'NVIDIA H200, 00000000:17:00.0, 143771\n' },
    );
    const gpus = probePlatformGpus(machine);
    expect(gpus.map((g) => [g.vendor, g.pciAddress, g.memoryBytes])).toEqual([
      ['amd', '0000:03:00.0', 8 * 1024 ** 3],
      ['nvidia', '0000:17:00.0', 143771 * 1024 ** 2],
    ]);
  });

  it("without nvidia-smi, counts NVIDIA cards from the driver's /proc files (no memory then)", () => {
    const machine = fakeMachine({
      '/proc/driver/nvidia/gpus/0000:17:00.0/information': 'Model: \t\t NVIDIA H200\nIRQ:   42\nBus Location: \t 0000:17:00.0\n',
      '/proc/driver/nvidia/gpus/0000:2a:00.0/information': 'Model: \t\t NVIDIA H200\nBus Location: \t 0000:2a:00.0\n',
    });
    const gpus = probePlatformGpus(machine);
    expect(gpus.map((g) => g.name)).toEqual(['NVIDIA H200', 'NVIDIA H200']);
    expect(gpus.every((g) => g.memoryBytes === undefined)).toBe(true);
  });

  it('binds workers to identical GPUs through Mesa device-select by PCI address, and says why not when the layer is missing', () => {
    const gpus = parseNvidiaSmi(TWO_H200);
    const bound = gpuAssignment(gpus, true);
    expect(bound).toMatchObject({ count: 2, method: 'device-select' });
    expect(bound.env).toEqual([
      { DRI_PRIME: 'pci-0000_17_00_0', MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE: '1' },
      { DRI_PRIME: 'pci-0000_2a_00_0', MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE: '1' },
    ]);
    const unbound = gpuAssignment(gpus, false);
    expect(unbound).toMatchObject({ count: 1, method: 'single' });
    expect(unbound.note).toMatch(/2 GPUs of the same name \(NVIDIA H200\).*mesa-vulkan-drivers/);
    // Different names: Dawn's adapter= flag tells them apart, no layer needed.
    expect(gpuAssignment([gpus[0]!, { ...gpus[1]!, name: 'NVIDIA RTX 4090' }], false)).toMatchObject({ count: 2, method: 'adapter-name' });
    // An integrated Intel GPU beside a discrete card takes no heavy node.
    expect(gpuAssignment([gpus[0]!, { vendor: 'intel', name: 'INTEL GPU 0x46a6', pciAddress: '0000:00:02.0' }], true)).toMatchObject({ count: 1 });
  });

  it('finds the device-select layer where Mesa installs it, and on a machine with no GPU uses one slot', () => {
    expect(hasMesaDeviceSelect(fakeMachine({ '/usr/share/vulkan/implicit_layer.d/VkLayer_MESA_device_select.json': '{}' }))).toBe(true);
    expect(hasMesaDeviceSelect(fakeMachine({}))).toBe(false);
    expect(machineGpus(fakeMachine({}))).toEqual({ gpus: [], assignment: { count: 1, method: 'single', env: [] } });
  });
});
