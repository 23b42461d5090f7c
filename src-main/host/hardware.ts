/**
 * The editor's Hardware panel asks here what this machine offers. The probe runs in a fresh worker
 * process, so it sees what training sees (the worker's Vulkan environment), and the worker is
 * closed after: Dawn and TensorFlow stay out of the host.
 */
import { randomUUID } from 'node:crypto';
import type { HardwareReport } from '../../nodes/sdk/index.ts';
import type { WorkerLauncher } from '../engine/worker/launcher.ts';
import { PooledWorker, describeWorkerExit } from '../engine/worker/pool.ts';
import { vulkanSetup } from '../engine/worker/vulkan-env.ts';

export async function probeHardwareInWorker(launcher: WorkerLauncher, registryModule: string, timeoutMs = 60_000): Promise<HardwareReport> {
  const worker = new PooledWorker(launcher(), registryModule);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await worker.ready;
    const jobId = randomUUID();
    return await new Promise<HardwareReport>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error('the hardware probe did not answer within a minute')), timeoutMs);
      worker.attach(
        (msg) => {
          if (msg.t === 'hardware' && msg.jobId === jobId) resolve(msg.report);
          else if (msg.t === 'failed' && msg.jobId === jobId) reject(new Error(msg.message));
        },
        (exit) => reject(new Error(describeWorkerExit(exit, worker.proc.stderrTail()))),
      );
      worker.send({ t: 'hardware', jobId, vulkanLoader: vulkanSetup().loader });
    });
  } finally {
    if (timer) clearTimeout(timer);
    worker.detach();
    worker.proc.kill();
  }
}
