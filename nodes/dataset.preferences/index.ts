import { defineNode, nodeSpec, type NodeProblem } from '../sdk/index.ts';
import { encodingParam } from '../lib/text-io.ts';

export const spec = nodeSpec({
  type: 'dataset.preferences',
  version: 1,
  category: 'Data',
  label: 'Preference pairs',
  description:
    'Pairs of a prompt with a chosen and a rejected response, for reward models and DPO. From a .jsonl/.json/.csv file (prompt/chosen/rejected text, or chosen/rejected message lists as in TRL and OpenAI preference data), ' +
    'or a seeded synthetic source whose preference is known: right versus wrong sums, or reviews scored with the AFINN sentiment lexicon. Some pairs are held out to measure generalisation.',
  inputs: {},
  outputs: { preferences: { type: 'Preferences' } },
  params: {
    source: { kind: 'enum', options: ['file', 'synthetic'], default: 'file' },
    file: { kind: 'file', default: '', extensions: ['.jsonl', '.ndjson', '.json', '.csv'], help: 'Used when the source is "file".' },
    promptField: { kind: 'string', default: 'prompt', label: 'Prompt field', help: 'Text or a message list. Without it, the beginning chosen and rejected share is the prompt.' },
    chosenField: { kind: 'string', default: 'chosen', label: 'Chosen field' },
    rejectedField: { kind: 'string', default: 'rejected', label: 'Rejected field' },
    csvDelimiter: { kind: 'enum', options: ['comma', 'semicolon', 'tab'], default: 'comma', label: 'CSV delimiter' },
    encoding: encodingParam(),
    onBadRecord: { kind: 'enum', options: ['skip', 'fail'], default: 'fail', label: 'On bad record', help: 'Invalid JSON, a wrong CSV row, a missing field or a response list that does not end in one assistant message.' },
    maxRecords: { kind: 'integer', default: 0, min: 0, help: '0 reads everything.' },
    task: { kind: 'enum', options: ['arithmetic', 'sentiment'], default: 'arithmetic', help: 'Synthetic: a+b= answered right (chosen) or with a typical mistake; or two reviews, the one AFINN-165 scores higher chosen.' },
    count: { kind: 'integer', default: 2000, min: 10, max: 1_000_000, help: 'Synthetic: number of pairs.' },
    digits: { kind: 'integer', default: 2, min: 1, max: 6, help: 'Synthetic arithmetic: digits per operand.' },
    wordsPerSide: { kind: 'integer', default: 40, min: 4, max: 1000, help: 'Synthetic sentiment: how many positive and how many negative AFINN words the reviews use.' },
    heldOut: { kind: 'number', default: 0.1, min: 0, max: 0.9, label: 'Held out', help: 'Fraction of pairs kept out of training (the validation split) to measure preference accuracy on.' },
  },
  validate(p) {
    const problems: NodeProblem[] = [];
    if (p.source === 'file' && p.file.trim() === '') problems.push({ param: 'file', message: 'choose a preference file to read' });
    if (p.source === 'file' && (p.chosenField.trim() === '' || p.rejectedField.trim() === '')) problems.push({ param: p.chosenField.trim() === '' ? 'chosenField' : 'rejectedField', message: 'name the field' });
    if (p.heldOut === 0) problems.push({ param: 'heldOut', message: 'hold out some pairs (e.g. 0.1): without them nothing measures whether the preference generalises' });
    if (p.source === 'synthetic' && p.heldOut > 0 && Math.floor(p.count * p.heldOut) < 1) problems.push({ param: 'heldOut', message: `holds out no pair of ${p.count}; raise it or the count` });
    return problems;
  },
});

export default defineNode(spec, () => import('./run.ts'));
