import { describe, expect, it } from 'vitest';
import type { NodeSpec } from '../../../nodes/sdk/define-node.ts';
import type { RunRecord } from '../../../nodes/sdk/runs.ts';
import { compareResults, compareSettings } from './compare.ts';

const NEW = { param: 'source', is: ['new'] } as const;
const modelSpec: NodeSpec = {
  type: 'model',
  version: 2,
  category: 'Model',
  label: 'Model',
  description: '',
  heavy: false,
  inputs: {},
  outputs: {},
  params: {
    source: { kind: 'enum', options: ['new', 'folder'], default: 'new' },
    layers: { kind: 'integer', default: 4, when: NEW },
    width: { kind: 'integer', default: 128, when: NEW },
    dropout: { kind: 'number', default: 0.1, when: NEW },
    folder: { kind: 'folder', default: '', when: { param: 'source', is: ['folder'] } },
  },
};
const specs = new Map([['model', modelSpec]]);

function record(id: string, params: Record<string, unknown>, config?: { layers: number; width: number }, metrics?: Record<string, number>): RunRecord {
  const model = config && {
    kind: 'model',
    dir: '/x',
    parameters: 1234,
    config: { vocabSize: 320, contextLength: 64, width: config.width, layers: config.layers, heads: 4, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1, family: 'llama', kvHeads: 2, intermediateSize: 96 },
  };
  return {
    id,
    state: 'succeeded',
    createdAt: '',
    graph: { format: 'weft.graph', version: 1, meta: {}, seed: 0, nodes: [{ id: 'm', type: 'model', version: 2, position: { x: 0, y: 0 }, params }], edges: [] },
    graphDir: '/',
    seed: 0,
    backends: [],
    versions: {},
    nodes: { m: { state: 'succeeded', ...(model ? { outputs: { model } } : {}), ...(metrics ? { metrics } : {}) } },
  };
}

describe('Compare', () => {
  it("shows a loaded model's true shape, not the new-model defaults it ignored", () => {
    const loaded = record('a', { source: 'folder', folder: '/models/tiny' }, { layers: 2, width: 64 });
    const fresh = record('b', { source: 'new', layers: 6 }, { layers: 6, width: 128 });
    const rows = Object.fromEntries(compareSettings(loaded, fresh, specs).map(([k, x, y]) => [k, [x, y]]));
    expect(rows['m.layers']).toEqual(['2', '6']);
    expect(rows['m.width']).toEqual(['64', '128']);
    expect(rows['m.parameters']).toEqual(['1234', '1234']);
    expect(rows['m.architecture']).toEqual(['"llama"', '"llama"']);
    // What did not apply says so; defaults count as set.
    expect(rows['m.dropout']).toEqual(['not used', '0.1']);
    expect(rows['m.folder']).toEqual(['"/models/tiny"', 'not used']);
  });

  it('lists final figures as numbers', () => {
    const rows = compareResults(record('a', {}, undefined, { perplexity: 12.5 }), record('b', {}, undefined, { perplexity: 11, accuracy: 0.5 }));
    expect(rows).toEqual([
      ['m.accuracy', '—', '0.5000'],
      ['m.perplexity', '12.50', '11'],
    ]);
  });
});
