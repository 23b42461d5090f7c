import { useState } from 'react';
import type { HardwareReport } from '../../../nodes/sdk/device.ts';
import { useEditor } from '../context.ts';

/** What this machine offers for training (as `weft doctor` prints it), asked of a fresh worker on demand. */
export function HardwarePanel() {
  const { api } = useEditor();
  const [report, setReport] = useState<HardwareReport | null>(null);
  const [state, setState] = useState<'idle' | 'probing' | string>('idle');
  const probe = () => {
    setState('probing');
    api.describeHardware().then(
      (r) => {
        setReport(r);
        setState('idle');
      },
      (e: unknown) => setState(e instanceof Error ? e.message : String(e)),
    );
  };
  return (
    <div className="hardware" data-testid="hardware">
      <h4>Hardware</h4>
      <button onClick={probe} disabled={state === 'probing'} data-testid="hardware-probe">
        {state === 'probing' ? 'Looking…' : report ? 'Look again' : 'What can train here?'}
      </button>
      {state !== 'idle' && state !== 'probing' && <div className="callout error">{state}</div>}
      {report && (
        <div className="small" data-testid="hardware-report">
          <p>
            Auto trains on <b data-testid="hardware-auto">{report.auto}</b>
          </p>
          <ul>
            {report.gpus.map((g, i) => (
              <li key={i} data-testid="hardware-gpu">
                GPU #{i}: {g.description || g.vendor} ({g.vendor}
                {g.architecture ? `, ${g.architecture}` : ''}){g.software ? ' · software, the CPU computes' : ''}
              </li>
            ))}
            {!report.gpus.length && <li>No GPU found by WebGPU (Vulkan loader: {report.vulkanLoader})</li>}
            {report.platform && (
              <li data-testid="hardware-gpu-count">
                {report.platform.gpus.length
                  ? `${report.platform.gpus.length} GPU${report.platform.gpus.length === 1 ? '' : 's'} on this machine (${report.platform.gpus.map((g) => `${g.name}${g.memoryBytes ? `, ${(g.memoryBytes / 1024 ** 3).toFixed(0)} GiB` : ''}`).join('; ')}); heavy nodes run on ${report.platform.gpuCount} at once`
                  : 'No GPU reported by the platform (nvidia-smi, the kernel)'}
              </li>
            )}
            <li>
              TensorFlow: {report.tensorflow.installed ? `installed, ${report.tensorflow.cudaGpu ? 'sees a CUDA GPU' : 'no CUDA GPU'}` : 'not installed'}
            </li>
            <li>wasm fallback: {report.wasm ? 'available' : 'missing'}</li>
          </ul>
          {report.advice.map((a, i) => (
            <p key={i} className="muted" data-testid="hardware-advice">
              {a}
            </p>
          ))}
        </div>
      )}
    </div>
  );
}
