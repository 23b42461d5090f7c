import { describe, expect, it } from 'vitest';
import type { NodeSpec } from '../../../nodes/sdk/define-node.ts';
import { connectedInputs, fieldsFor, parseInput } from './form.ts';

const spec: NodeSpec = {
  type: 'x.train',
  version: 1,
  category: 'Training',
  label: 'Train',
  description: '',
  heavy: true,
  inputs: {},
  outputs: {},
  params: {
    learningRate: { kind: 'number', default: 0.001, min: 0, max: 1, help: 'Step size' },
    steps: { kind: 'integer', default: 100, min: 1 },
    schedule: { kind: 'enum', options: ['constant', 'cosine'] },
    shuffle: { kind: 'boolean', default: true },
    file: { kind: 'file', required: true, extensions: ['.txt'] },
    notes: { kind: 'text' },
  },
};

describe('form generation', () => {
  it('makes one field per param, with the right control, label, defaults and range hint', () => {
    const fields = fieldsFor(spec, { steps: 5 });
    expect(fields.map((f) => [f.name, f.control])).toEqual([
      ['learningRate', 'number'],
      ['steps', 'number'],
      ['schedule', 'select'],
      ['shuffle', 'checkbox'],
      ['file', 'path'],
      ['notes', 'textarea'],
    ]);
    const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
    expect(byName.learningRate!.label).toBe('Learning rate');
    expect(byName.learningRate!.value).toBe(0.001);
    expect(byName.learningRate!.hint).toBe('Number from 0 to 1');
    expect(byName.steps!.value).toBe(5);
    expect(byName.steps!.hint).toBe('Whole number, at least 1');
    expect(byName.schedule!.value).toBe('constant');
    expect(byName.file!.hint).toBe('A .txt file');
  });

  it('flags values in the graph that break their spec, and missing required ones', () => {
    const byName = Object.fromEntries(fieldsFor(spec, { steps: 0, schedule: 'linear' }).map((f) => [f.name, f]));
    expect(byName.steps!.problem).toMatch(/at least 1/);
    expect(byName.schedule!.problem).toMatch(/one of constant, cosine/);
    expect(byName.file!.problem).toBe('is required');
    expect(byName.learningRate!.problem).toBeNull();
  });

  it('parses typed input, refusing what the spec does not allow', () => {
    expect(parseInput(spec.params.learningRate!, '0.01')).toEqual({ ok: true, value: 0.01 });
    expect(parseInput(spec.params.learningRate!, '2')).toEqual({ ok: false, problem: 'Must be at most 1, got 2' });
    expect(parseInput(spec.params.learningRate!, 'abc')).toEqual({ ok: false, problem: '"abc" is not a number' });
    expect(parseInput(spec.params.steps!, '1.5')).toMatchObject({ ok: false, problem: expect.stringMatching(/whole number/) });
    expect(parseInput(spec.params.steps!, '')).toMatchObject({ ok: false });
    expect(parseInput(spec.params.shuffle!, false)).toEqual({ ok: true, value: false });
    expect(parseInput(spec.params.file!, 'a.csv')).toMatchObject({ ok: false, problem: expect.stringMatching(/\.txt/) });
    expect(parseInput(spec.params.file!, '')).toEqual({ ok: false, problem: 'Is required' });
  });

  it('says which settings do not apply, and why, from the other settings and the connected inputs', () => {
    const training: NodeSpec = {
      ...spec,
      inputs: { scheduler: { type: 'Scheduler', optional: true } },
      params: {
        method: { kind: 'enum', options: ['full', 'lora'], default: 'full', label: 'Method' },
        loraRank: { kind: 'integer', default: 8, when: { param: 'method', is: ['lora'] } },
        learningRate: { kind: 'number', default: 1e-3, when: { notConnected: 'scheduler' } },
      },
    };
    const at = (params: Record<string, unknown>, connected: string[] = []) => Object.fromEntries(fieldsFor(training, params, connected).map((f) => [f.name, f.notApplying]));
    expect(at({})).toEqual({ method: null, loraRank: 'Used only when Method is "lora".', learningRate: null });
    // The rank keeps its value while hidden: it is the graph's, shown again with Method lora.
    expect(fieldsFor(training, { loraRank: 32 }).find((f) => f.name === 'loraRank')!.value).toBe(32);
    expect(at({ method: 'lora' }, ['scheduler'])).toEqual({ method: null, loraRank: null, learningRate: 'Used only when no scheduler is connected.' });
    const edges = [
      { target: 'train', targetHandle: 'scheduler' },
      { target: 'other', targetHandle: 'model' },
    ];
    expect(connectedInputs(edges, 'train')).toEqual(['scheduler']);
  });
});
