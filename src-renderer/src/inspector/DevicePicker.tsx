import { DEVICE_PREFERENCES, describeDevice, type DeviceInfo, type DevicePreference } from '../../../nodes/sdk/device.ts';
import { useDoc, useEditor } from '../context.ts';

const LABEL: Record<DevicePreference, string> = { auto: 'Auto (best: a GPU first)', gpu: 'GPU only', cpu: 'CPU only' };
const HELP = 'Auto takes a GPU when TensorFlow (CUDA) or WebGPU finds one, else the CPU; GPU fails the node when there is none; CPU never uses a GPU.';

/** Where tensor work runs: for the whole graph (nodeId absent) or one node (inherits the graph's by default). */
export function DevicePicker({ nodeId, readOnly }: { nodeId?: string; readOnly: boolean }) {
  const { doc } = useEditor();
  const graph = useDoc().graph;
  const node = nodeId ? graph.nodes.find((n) => n.id === nodeId) : undefined;
  const graphChoice = graph.device ?? 'auto';
  const value = nodeId ? (node?.device ?? 'inherit') : graphChoice;
  const set = (next: string) =>
    doc.edit(
      (g) => {
        if (!nodeId) {
          if (next === 'auto') delete g.device;
          else g.device = next as DevicePreference;
          return;
        }
        const n = g.nodes.find((x) => x.id === nodeId);
        if (!n) return;
        if (next === 'inherit') delete n.device;
        else n.device = next as DevicePreference;
      },
      { key: `device:${nodeId ?? 'graph'}` },
    );
  return (
    <div className="field">
      <label htmlFor={`device-${nodeId ?? 'graph'}`}>{nodeId ? 'Device' : 'Device for all nodes'}</label>
      <select id={`device-${nodeId ?? 'graph'}`} value={value} disabled={readOnly} onChange={(e) => set(e.target.value)} data-testid={nodeId ? 'node-device' : 'graph-device'} title={HELP}>
        {nodeId && <option value="inherit">As the graph ({LABEL[graphChoice]})</option>}
        {DEVICE_PREFERENCES.map((p) => (
          <option key={p} value={p}>
            {LABEL[p]}
          </option>
        ))}
      </select>
    </div>
  );
}

/** "webgpu · NVIDIA H200" and, in the tooltip, everything the run record holds about the device. */
export function DeviceText({ device }: { device: DeviceInfo }) {
  const a = device.adapter;
  const detail = a ? `vendor ${a.vendor}, architecture ${a.architecture}, ${a.description}${a.software ? ' (software: computed by the CPU)' : ''}` : device.backend === 'tensorflow' ? `TensorFlow ${device.tensorflowGpu ? 'found a CUDA GPU' : 'found no CUDA GPU (CPU kernels)'}` : 'CPU';
  return <b title={detail} data-testid="device-text">{describeDevice(device)}</b>;
}
