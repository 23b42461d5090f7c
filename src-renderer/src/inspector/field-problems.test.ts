import { describe, expect, it } from 'vitest';
import { FieldProblems } from './field-problems.ts';

describe('field problems', () => {
  it('holds one refused value per field until it is fixed, and tells listeners only of changes', () => {
    const f = new FieldProblems();
    let calls = 0;
    f.subscribe(() => calls++);
    f.set('sft', 'batchSize', 'Enter a whole number');
    f.set('sft', 'batchSize', 'Enter a whole number');
    expect(f.list()).toEqual([{ code: 'param_invalid', nodeId: 'sft', param: 'batchSize', message: 'Enter a whole number' }]);
    f.set('sft', 'steps', '"x" is not a number');
    expect(f.list().map((p) => p.param)).toEqual(['batchSize', 'steps']);
    f.set('sft', 'batchSize', null);
    f.set('sft', 'batchSize', null);
    expect(f.list().map((p) => p.param)).toEqual(['steps']);
    expect(calls).toBe(3);
  });
});
