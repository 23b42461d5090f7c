import { describe, expect, it } from 'vitest';
import { describeDevice, ranOnGpu } from './device.ts';
import { emptyGraph, parseGraph, serializeGraph } from './graph.ts';

describe('device choice in the graph file', () => {
  it('round-trips the graph-wide choice and a per-node override; no choice writes nothing', () => {
    const g = emptyGraph('d');
    g.nodes.push({ id: 'train', type: 'train.pretrain', version: 1, position: { x: 0, y: 0 }, params: {} }, { id: 'gen', type: 'generate', version: 1, position: { x: 1, y: 0 }, params: {} });
    expect(serializeGraph(g)).not.toContain('"device"');
    g.device = 'gpu';
    g.nodes[1]!.device = 'cpu';
    const back = parseGraph(serializeGraph(g));
    expect(back.ok && back.graph.device).toBe('gpu');
    expect(back.ok && back.graph.nodes.map((n) => n.device)).toEqual([undefined, 'cpu']);
  });

  it('refuses an unknown device with its place', () => {
    const g = JSON.parse(serializeGraph(emptyGraph('d'))) as Record<string, unknown>;
    g.device = 'tpu';
    const r = parseGraph(JSON.stringify(g));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors[0]!.path).toBe('device');
  });
});

describe('device descriptions', () => {
  it('tells a GPU from a CPU in one line', () => {
    const h200 = { backend: 'webgpu', adapter: { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200', software: false } };
    expect(describeDevice(h200)).toBe('webgpu · NVIDIA H200');
    expect(ranOnGpu(h200)).toBe(true);
    const swift = { backend: 'webgpu', adapter: { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0', software: true } };
    expect(describeDevice(swift)).toBe('webgpu · SwiftShader driver 5.0.0 (software, CPU)');
    expect(ranOnGpu(swift)).toBe(false);
    expect(describeDevice({ backend: 'tensorflow', tensorflowGpu: false })).toBe('tensorflow (CPU)');
    expect(ranOnGpu({ backend: 'tensorflow', tensorflowGpu: true })).toBe(true);
    expect(describeDevice({ backend: 'wasm' })).toBe('wasm');
  });
});
