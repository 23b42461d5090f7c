import { describe, expect, it } from 'vitest';
import { catalogueOf, checkGraph } from '../sdk/index.ts';
import { nodeRegistry } from '../index.ts';
import { fakeContext, paramsFor, runNode } from '../../test/fixtures/node-harness.ts';
import { graphOf } from '../../test/helpers.ts';
import gate from './index.ts';
import { decide } from './condition.ts';

const model = { kind: 'model', dir: '/nowhere', parameters: 1, config: {} };
const metrics = (values: Record<string, number>) => ({ kind: 'metrics', values });

describe('gate condition', () => {
  it('says how far a metric is from its reference, and on which side', () => {
    const d = decide({ metric: 'perplexity', comparison: 'within %', threshold: 0, tolerance: 2 }, 31.2, 30, 'reference perplexity');
    expect(d.passed).toBe(false);
    expect(d.explanation).toBe('perplexity 31.2 is 4% above reference perplexity 30 (allowed 2%)');
    expect(decide({ metric: 'perplexity', comparison: 'within %', threshold: 0, tolerance: 2 }, 29.7, 30).passed).toBe(true);
  });

  it('compares with a bound both ways, and never passes NaN', () => {
    const c = { metric: 'accuracy', threshold: 0, tolerance: 0 };
    expect(decide({ ...c, comparison: '>=' }, 0.8, 0.8).passed).toBe(true);
    expect(decide({ ...c, comparison: '>' }, 0.8, 0.8).passed).toBe(false);
    expect(decide({ ...c, comparison: '<' }, 0.7, 0.8).passed).toBe(true);
    expect(decide({ ...c, comparison: '<=' }, 0.9, 0.8).explanation).toBe('accuracy 0.9 is not <= 0.8');
    expect(decide({ ...c, comparison: '>=' }, Number.NaN, 0).passed).toBe(false);
  });
});

describe('gate node', () => {
  it('opens: passes the model through and closes nothing', async () => {
    const ctx = fakeContext();
    const r = await runNode(gate, { metrics: metrics({ perplexity: 20 }), model }, paramsFor(gate, { metric: 'perplexity', comparison: '<=', threshold: 30 }), ctx);
    expect(r.closed).toBeUndefined();
    expect(r.outputs.model).toEqual(model);
    expect(r.metrics).toEqual({ passed: 1, value: 20, bound: 30 });
  });

  it('closes with the reason when a metric is outside the tolerance of the reference input', async () => {
    const ctx = fakeContext();
    const r = await runNode(
      gate,
      { metrics: metrics({ perplexity: 31.2 }), reference: metrics({ perplexity: 30 }), model },
      paramsFor(gate, { metric: 'perplexity', comparison: 'within %', referenceMetric: 'perplexity', tolerance: 2 }),
      ctx,
    );
    expect(r.closed?.reason).toBe('perplexity 31.2 is 4% above reference perplexity 30 (allowed 2%)');
    expect(r.metrics!.passed).toBe(0);
  });

  it('at run time, an unknown metric is an error listing the metrics there are', async () => {
    await expect(runNode(gate, { metrics: metrics({ loss: 3, perplexity: 20 }), model }, paramsFor(gate, { metric: 'ppl' }), fakeContext())).rejects.toThrow(
      'metric "ppl" is not in the metrics input; it has loss, perplexity',
    );
  });

  it('before the run, refuses a metric name the upstream node does not report', () => {
    const g = graphOf(
      [
        { id: 'm', type: 'model', version: 2, params: { source: 'folder', folder: '/x' } },
        { id: 'eval', type: 'eval', params: { metric: 'perplexity' } },
        { id: 'g', type: 'gate', params: { metric: 'accuracy', referenceMetric: 'perplexty' } },
      ],
      [
        ['m', 'model', 'eval', 'model'],
        ['eval', 'metrics', 'g', 'metrics'],
        ['m', 'model', 'g', 'model'],
      ],
    );
    const errors = checkGraph(g, catalogueOf(nodeRegistry)).errors.filter((e) => e.nodeId === 'g');
    expect(errors.map((e) => [e.param, e.message])).toEqual([
      ['metric', '"accuracy" is not a metric its input reports; it reports loss, perplexity, tokens, unigramBaseline'],
      ['referenceMetric', '"perplexty" is not a metric its metrics input reports; it reports loss, perplexity, tokens, unigramBaseline'],
    ]);
    const ok = structuredClone(g);
    ok.nodes[2]!.params = { metric: 'perplexity' };
    expect(checkGraph(ok, catalogueOf(nodeRegistry)).errors.filter((e) => e.nodeId === 'g')).toEqual([]);
  });
});
