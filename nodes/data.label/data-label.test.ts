import { afterEach, describe, expect, it } from 'vitest';
import dataLabel from './index.ts';
import { readAll, type DataRecord, type SplitName } from '../lib/dataset.ts';
import { fakeContext, paramsFor, runOnRecords } from '../../test/fixtures/node-harness.ts';

const contexts: ReturnType<typeof fakeContext>[] = [];
afterEach(() => contexts.splice(0).forEach((c) => c.cleanup()));

async function runLabel(splits: Partial<Record<SplitName, DataRecord[]>>, overrides: Record<string, string | number | boolean>) {
  const { ctx, result, dataset } = await runOnRecords(dataLabel, splits, overrides);
  contexts.push(ctx);
  return { result, dataset, labels: async (split: SplitName = 'train') => (await readAll(dataset, split)).map((r) => r.label), ctx };
}

const mails: DataRecord[] = [
  { text: 'Get FREE   money now', group: 'spam-1' },
  { text: 'Lunch at noon?', group: 'easy-ham-1' },
  { text: 'Cheap Viagra!!!', group: 'spam-2' },
  { text: 'Freedom of speech conference', group: 'hard-ham-1' },
];

describe('data.label', () => {
  it('copies a field to the label, on every split, and counts each label', async () => {
    const { result, dataset, labels } = await runLabel({ train: mails.slice(0, 3), test: mails.slice(3) }, { from: 'field', field: 'group' });
    expect(await labels()).toEqual(['spam-1', 'easy-ham-1', 'spam-2']);
    expect(await labels('test')).toEqual(['hard-ham-1']);
    expect(dataset.labels).toEqual(['easy-ham-1', 'hard-ham-1', 'spam-1', 'spam-2']);
    expect(result.metrics).toMatchObject({ labelled: 4, skipped: 0, distinctLabels: 4, 'label:spam-1': 1 });
    // The rest of each record is kept.
    expect((await readAll(dataset, 'train'))[0]).toEqual({ text: 'Get FREE   money now', group: 'spam-1', label: 'spam-1' });
  });

  it('maps field values to labels and handles values outside the mapping as chosen', async () => {
    const mapping = 'spam-1=spam, spam-2=spam,\n easy-ham-1 = ham';
    const skip = await runLabel({ train: mails }, { from: 'mapping', field: 'group', mapping, unlabelled: 'skip' });
    expect(await skip.labels()).toEqual(['spam', 'ham', 'spam']);
    expect(skip.result.metrics).toMatchObject({ 'label:spam': 2, 'label:ham': 1, skipped: 1 });

    const fallback = await runLabel({ train: mails }, { from: 'mapping', field: 'group', mapping, unlabelled: 'default', defaultLabel: 'ham' });
    expect(await fallback.labels()).toEqual(['spam', 'ham', 'spam', 'ham']);
    expect(fallback.result.metrics).toMatchObject({ 'label:ham': 2, defaulted: 1 });

    await expect(runLabel({ train: mails }, { from: 'mapping', field: 'group', mapping, unlabelled: 'fail' })).rejects.toThrow(
      'train record 4: no label ("hard-ham-1" in field "group" is not in the mapping)',
    );
  });

  it('labels by keyword rules: whole words, any case, phrases across spaces, first rule wins', async () => {
    const rules = '# spam words first\nspam: viagra | free money\nham: lunch|speech';
    const { labels, result } = await runLabel({ train: mails }, { from: 'keywords', rules, unlabelled: 'default', defaultLabel: 'other' });
    // "Freedom" is not "free money"; the conference mail is ham by "speech".
    expect(await labels()).toEqual(['spam', 'ham', 'spam', 'ham']);
    expect(result.metrics).toMatchObject({ 'label:spam': 2, 'label:ham': 2, defaulted: 0 });
  });

  it('searches prompt and response when there is no text field, or a chosen field', async () => {
    const records = [{ prompt: 'Translate: bonjour', response: 'hello' }, { prompt: 'Add 2 and 2', response: '4', topic: 'maths' }];
    const byText = await runLabel({ train: records }, { from: 'keywords', rules: 'translation: translate\nmath: add', unlabelled: 'skip' });
    expect(await byText.labels()).toEqual(['translation', 'math']);
    const byField = await runLabel({ train: records }, { from: 'keywords', field: 'topic', rules: 'math: maths', unlabelled: 'skip' });
    expect(await byField.labels()).toEqual(['math']);
  });

  it('validate() names the param of a malformed mapping or rule, and a missing default label', () => {
    const problems = (o: Record<string, string>) => (dataLabel.validate?.(paramsFor(dataLabel, o), ['dataset']) ?? []).map((p) => `${p.param}: ${p.message}`);
    expect(problems({ from: 'mapping', field: 'group', mapping: 'a=x, b' })).toEqual(['mapping: "b" is not of the form value=label']);
    expect(problems({ from: 'mapping', field: 'group', mapping: 'a=x, a=y' })).toEqual(['mapping: "a" is mapped to both "x" and "y"']);
    expect(problems({ from: 'keywords', rules: 'spam viagra' })).toEqual(['rules: line 1: expected "label: keyword|another phrase"']);
    expect(problems({ from: 'field', field: '', unlabelled: 'default' })).toEqual(['field: choose the field to label from', 'defaultLabel: give the label for records no rule labels']);
  });
});
