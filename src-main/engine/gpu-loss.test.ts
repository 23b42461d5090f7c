/** A GPU lost (or out of memory) during a node fails it with a plain message, and the run resumes from the last checkpoint. */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { graphOf, tempDir } from '../../test/helpers.ts';
import { nodeRegistry } from '../../test/fixtures/gpu-loss-nodes.ts';
import { WeftHost } from '../host/weft-host.ts';

const REGISTRY = fileURLToPath(new URL('../../test/fixtures/gpu-loss-nodes.ts', import.meta.url));
const hosts: WeftHost[] = [];
afterAll(async () => Promise.all(hosts.map((h) => h.close())));

describe('GPU loss during a node', () => {
  it('fails the node at the next step with what happened and what to do; resume continues from the checkpoint', async () => {
    const host = await WeftHost.open({ workspace: tempDir(), registry: nodeRegistry, registryModule: REGISTRY });
    hosts.push(host);
    const graph = graphOf([{ id: 'train', type: 'test.gpu-train' }]);
    const { runId } = await host.startRun({ graph });
    const failed = await host.waitForRun(runId);
    expect(failed.state).toBe('failed');
    expect(failed.nodes.train!.error).toMatch(/^the GPU device was lost \(unknown: test\)\. The node stopped; resume the run to continue from its last checkpoint/);
    expect(failed.nodes.train!.device?.adapter?.description).toBe('Test GPU');

    await host.resumeRun(runId);
    const resumed = await host.waitForRun(runId);
    expect(resumed.state).toBe('succeeded');
    // Steps 1 and 2 were checkpointed before the loss; the resumed attempt starts after them.
    expect(resumed.nodes.train!.metrics!.resumedFrom).toBe(2);
    expect(resumed.nodes.train!.device?.backend).toBe('webgpu');
  }, 120_000);
});
