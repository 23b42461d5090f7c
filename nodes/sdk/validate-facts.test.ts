/** Validation's facts: what a node's outputs are known to be flows to the nodes they feed, through pass-along nodes. */
import { describe, expect, it } from 'vitest';
import { graphOf } from '../../test/helpers.ts';
import { catalogueOf, checkGraph, defineNode, nodeSpec, type ModelConfig } from './index.ts';

const shape = (contextLength: number): ModelConfig => ({ vocabSize: 10, contextLength, width: 8, layers: 1, heads: 1, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 });
const noRun = () => Promise.reject(new Error('not run in these tests'));

const source = defineNode(
  nodeSpec({
    type: 't.source', version: 1, category: 'T', label: 'Source', description: '', inputs: {}, outputs: { model: { type: 'Model' }, data: { type: 'Dataset' } },
    params: { context: { kind: 'integer', default: 16, min: 1 }, broken: { kind: 'boolean', default: false } },
    outputFacts: (p) => {
      if (p.broken) throw new Error('config.json unreadable');
      return { model: { model: shape(p.context) }, data: { validationSplit: false } };
    },
  }),
  noRun,
);
const pass = defineNode(
  nodeSpec({
    type: 't.pass', version: 1, category: 'T', label: 'Pass', description: '', inputs: { model: { type: 'Model' } }, outputs: { model: { type: 'Model' } }, params: { halve: { kind: 'boolean', default: false } },
    outputFacts: (p, inputs) => (inputs.model?.model ? { model: { model: p.halve ? { ...inputs.model.model, contextLength: inputs.model.model.contextLength / 2 } : inputs.model.model } } : {}),
  }),
  noRun,
);
const sink = defineNode(
  nodeSpec({
    type: 't.sink', version: 1, category: 'T', label: 'Sink', description: '', inputs: { model: { type: 'Model' }, data: { type: 'Dataset', optional: true } }, outputs: {}, params: { context: { kind: 'integer', default: 8, min: 1 } },
    validateWithInputs(p, inputs, ctx) {
      const m = inputs.model?.model;
      return [
        ...(m && p.context > m.contextLength ? [{ param: 'context', message: `longer than ${m.contextLength}` }] : []),
        ...(inputs.data?.validationSplit === false ? [{ port: 'data', message: 'no validation split', severity: 'warning' as const }] : []),
        ...(ctx.memory ? [{ message: `memory ${ctx.memory.totalBytes}` }] : []),
      ];
    },
  }),
  noRun,
);
const catalogue = catalogueOf([source, pass, sink]);

describe('validation facts', () => {
  it('flow through nodes that pass a model along, changed as they change it', () => {
    const g = (halve: boolean, context: number) =>
      graphOf(
        [
          { id: 's', type: 't.source', params: { context: 16 } },
          { id: 'p', type: 't.pass', params: { halve } },
          { id: 'k', type: 't.sink', params: { context } },
        ],
        [['s', 'model', 'p', 'model'], ['p', 'model', 'k', 'model']],
      );
    expect(checkGraph(g(false, 16), catalogue).errors).toEqual([]);
    expect(checkGraph(g(true, 16), catalogue).errors).toEqual([{ code: 'node_invalid', nodeId: 'k', param: 'context', message: 'longer than 8' }]);
  });

  it('flow down a 10,000-node chain without overflowing the stack', () => {
    const n = 10_000;
    const nodes = [{ id: 's', type: 't.source', params: { context: 16 } }, ...Array.from({ length: n }, (_, i) => ({ id: `p${i}`, type: 't.pass', params: {} })), { id: 'k', type: 't.sink', params: { context: 32 } }];
    const edges: Array<[string, string, string, string]> = [['s', 'model', 'p0', 'model']];
    for (let i = 1; i < n; i++) edges.push([`p${i - 1}`, 'model', `p${i}`, 'model']);
    edges.push([`p${n - 1}`, 'model', 'k', 'model']);
    expect(checkGraph(graphOf(nodes, edges), catalogue).errors.map((e) => [e.nodeId, e.message])).toEqual([['k', 'longer than 16']]);
  });

  it('keeps warnings apart from errors, and gives the memory of the device each node asks for', () => {
    const g = graphOf(
      [
        { id: 's', type: 't.source', params: {} },
        { id: 'k', type: 't.sink', params: {} },
      ],
      [['s', 'model', 'k', 'model'], ['s', 'data', 'k', 'data']],
    );
    const r = checkGraph(g, catalogue);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([{ code: 'node_warning', severity: 'warning', nodeId: 'k', port: 'data', message: 'no validation split' }]);
    g.nodes[1]!.device = 'cpu';
    const asked: string[] = [];
    const withMemory = checkGraph(g, catalogue, { trainingMemory: (d) => (asked.push(d), { totalBytes: d === 'cpu' ? 1 : 2, describe: () => '' }) });
    expect(withMemory.errors.map((e) => e.message)).toEqual(['memory 1']);
    expect(asked).toEqual(['cpu']);
  });

  it('knows nothing, and claims nothing, when a hook cannot tell or the graph has a cycle', () => {
    const broken = graphOf(
      [
        { id: 's', type: 't.source', params: { broken: true } },
        { id: 'k', type: 't.sink', params: { context: 1000 } },
      ],
      [['s', 'model', 'k', 'model']],
    );
    expect(checkGraph(broken, catalogue).errors).toEqual([]);
    const cycle = graphOf(
      [
        { id: 'a', type: 't.pass', params: {} },
        { id: 'b', type: 't.pass', params: {} },
        { id: 'k', type: 't.sink', params: { context: 1000 } },
      ],
      [['a', 'model', 'b', 'model'], ['b', 'model', 'a', 'model'], ['b', 'model', 'k', 'model']],
    );
    expect(checkGraph(cycle, catalogue).errors.map((e) => e.code)).toEqual(['cycle']);
  });
});

describe('settings that do not apply', () => {
  const lora = defineNode(
    nodeSpec({
      type: 't.lora', version: 1, category: 'T', label: 'Lora', description: '', inputs: { schedule: { type: 'Scheduler', optional: true } }, outputs: {},
      params: {
        method: { kind: 'enum', options: ['full', 'lora'], default: 'full' },
        loraRank: { kind: 'integer', default: 8, min: 1, max: 512, when: { param: 'method', is: ['lora'] } },
        learningRate: { kind: 'number', default: 0.001, min: 1e-8, max: 1, when: { notConnected: 'schedule' } },
      },
    }),
    noRun,
  );
  const cat = catalogueOf([lora]);
  const node = (params: Record<string, unknown>) => ({ id: 'n', type: 't.lora', version: 1, position: { x: 0, y: 0 }, params });
  it('a bad value is refused in a hidden setting too (the graph file is malformed; the editor shows such a field with its error)', () => {
    expect(checkGraph(graphOf([node({ method: 'full', loraRank: 0 })], []), cat).errors.map((e) => e.param)).toEqual(['loraRank']);
    expect(checkGraph(graphOf([node({ method: 'lora', loraRank: 0 })], []), cat).errors.map((e) => e.param)).toEqual(['loraRank']);
    expect(checkGraph(graphOf([node({ method: 'full', loraRank: 4 })], []), cat).errors).toEqual([]);
  });
});
