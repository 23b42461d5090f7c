/**
 * The device each node ran on, end to end: the graph's Auto/GPU/CPU choice and a node's override
 * reach the workers, and the run record (and run history) say which device computed each node.
 * WebGPU runs on SwiftShader here and in CI (see test/webgpu.test.ts); its numbers are checked there.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catalogueOf, describeDevice, type Graph } from '../nodes/sdk/index.ts';
import { nodeRegistry } from '../nodes/index.ts';
import { openDefaultHost } from '../src-main/host/default-host.ts';
import type { WeftHost } from '../src-main/host/weft-host.ts';
import { applyOverrides } from '../src-main/cli/overrides.ts';
import { readGraphFile } from '../src-main/store/graph-files.ts';
import { tempDir } from './helpers.ts';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';

const EXAMPLE = fileURLToPath(new URL('../examples/pretrain-moby-dick.weft.json', import.meta.url));
const hosts: WeftHost[] = [];
afterAll(async () => Promise.all(hosts.map((h) => h.close())));

const saved = process.env.WEFT_WEBGPU_SWIFTSHADER;
beforeEach(() => delete process.env.WEFT_WEBGPU_SWIFTSHADER);
afterEach(() => (saved === undefined ? delete process.env.WEFT_WEBGPU_SWIFTSHADER : (process.env.WEFT_WEBGPU_SWIFTSHADER = saved)));

async function tinyGraph(): Promise<Graph> {
  return applyOverrides(
    await readGraphFile(EXAMPLE),
    ['corpus.maxRecords=6', 'split.validation=0.34', 'tokenizer.vocabSize=300', 'model.width=32', 'model.layers=1', 'model.heads=2', 'model.context=16', 'train.steps=4', 'train.batchSize=4', 'train.evalEvery=4', 'train.evalBatches=1', 'train.checkpointEvery=0', 'evaluate.maxTokens=200', 'evaluate.maxExamples=4', 'sample.maxTokens=4', 'sample.samples=1'],
    catalogueOf(nodeRegistry),
  );
}

async function runOn(graph: Graph) {
  // The host's workers take their environment (Vulkan, SwiftShader) when the host opens.
  const host = await openDefaultHost(tempDir());
  hosts.push(host);
  const { runId } = await host.startRun({ graph, graphDir: dirname(EXAMPLE) });
  const run = await host.waitForRun(runId);
  return { run, summary: (await host.listRuns()).find((r) => r.id === runId)! };
}

describe('device per node in the run record', () => {
  it('GPU for the graph trains on the WebGPU adapter; a node set to CPU runs on a CPU backend; both are recorded', async () => {
    process.env.WEFT_WEBGPU_SWIFTSHADER = '1';
    const graph = await tinyGraph();
    graph.device = 'gpu';
    graph.nodes.find((n) => n.id === 'sample')!.device = 'cpu';
    const { run, summary } = await runOn(graph);
    expect(run.state, Object.entries(run.nodes).map(([id, n]) => `${id}: ${n.state} ${n.error ?? ''}`).join('\n')).toBe('succeeded');
    const train = run.nodes.train!.device!;
    expect(train.backend).toBe('webgpu');
    expect(train.adapter?.description).toMatch(/swiftshader/i);
    expect(run.nodes.train!.backend).toBe('webgpu');
    expect(run.nodes.evaluate!.device!.backend).toBe('webgpu');
    expect(['wasm', 'cpu']).toContain(run.nodes.sample!.device!.backend);
    expect(run.nodes.train!.metrics!.finalLoss).toBeLessThan(run.nodes.train!.metrics!.initialLoss ?? Infinity);
    expect(summary.devices).toEqual(expect.arrayContaining([describeDevice(train), describeDevice(run.nodes.sample!.device!)]));
  }, 600_000);

  it('GPU on a machine without one fails the node with a plain message; Auto never takes a software adapter for a GPU', async () => {
    const graph = await tinyGraph();
    graph.nodes.find((n) => n.id === 'train')!.device = 'gpu';
    const { run } = await runOn(graph);
    expect(run.state).toBe('failed');
    expect(run.nodes.train!.error).toMatch(/set to run on a GPU, but none was found.*weft doctor/);
    // The model node (Auto) ran on a CPU rung: SwiftShader is not offered without WEFT_WEBGPU_SWIFTSHADER.
    expect(['wasm', 'cpu']).toContain(run.nodes.model!.device!.backend);
  }, 300_000);
});
