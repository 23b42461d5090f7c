import { afterEach, describe, expect, it } from 'vitest';
import { DatasetWriter, readAll, type DatasetHandle } from '../lib/dataset.ts';
import { fakeContext, paramsFor, runNode } from '../../test/fixtures/node-harness.ts';
import split from './index.ts';

const contexts: Array<{ cleanup(): void }> = [];
afterEach(() => contexts.splice(0).forEach((c) => c.cleanup()));

async function labelled(n: number): Promise<DatasetHandle> {
  const ctx = fakeContext();
  contexts.push(ctx);
  const w = new DatasetWriter(ctx.artifactDir);
  for (let i = 0; i < n; i++) await w.write('train', { text: `record ${i}`, label: i % 10 < 7 ? 'ham' : 'spam' });
  return w.close();
}

async function run(dataset: DatasetHandle, overrides: Record<string, number | boolean>, seed = 1) {
  const ctx = fakeContext();
  contexts.push(ctx);
  ctx.seed = seed;
  const out = (await runNode(split, { dataset }, paramsFor(split, overrides), ctx)).outputs.dataset as DatasetHandle;
  return { train: await readAll(out, 'train'), validation: await readAll(out, 'validation'), test: await readAll(out, 'test') };
}

describe('data.split', () => {
  it('splits by ratio, keeps every record exactly once, and is repeatable with the same seed', async () => {
    const data = await labelled(1000);
    const a = await run(data, { validation: 0.1, test: 0.2 });
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([700, 100, 200]);
    const all = [...a.train, ...a.validation, ...a.test].map((r) => r.text).sort();
    expect(new Set(all).size).toBe(1000);
    const b = await run(data, { validation: 0.1, test: 0.2 });
    expect(b.test.map((r) => r.text)).toEqual(a.test.map((r) => r.text));
    const c = await run(data, { validation: 0.1, test: 0.2 }, 2);
    expect(c.test.map((r) => r.text)).not.toEqual(a.test.map((r) => r.text));
  });

  it('keeps label proportions in every split when stratified', async () => {
    const s = await run(await labelled(1000), { validation: 0.1, test: 0.1, stratify: true });
    for (const part of [s.train, s.validation, s.test]) {
      expect(part.filter((r) => r.label === 'spam').length / part.length).toBeCloseTo(0.3, 5);
    }
  });

  it('refuses to stratify records without a label, naming the record', async () => {
    const ctx = fakeContext();
    contexts.push(ctx);
    const w = new DatasetWriter(ctx.artifactDir);
    await w.write('train', { text: 'a', label: 'x' });
    await w.write('train', { text: 'b' });
    await expect(run(await w.close(), { stratify: true })).rejects.toThrow(/train record 2 has none/);
  });
});
