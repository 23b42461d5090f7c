import { defineNode, nodeSpec, type NodeProblem } from '../sdk/index.ts';
import { encodingParam } from '../lib/text-io.ts';

const FROM_FILE = { param: 'source', is: ['file'] } as const;
const SYNTHETIC = { param: 'source', is: ['synthetic'] } as const;

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
    source: { kind: 'enum', options: ['file', 'synthetic'], default: 'file', help: 'Read pairs from a file of yours, or make synthetic pairs whose better answer is known.' },
    file: { kind: 'file', default: '', extensions: ['.jsonl', '.ndjson', '.json', '.csv'], help: 'The file of pairs to read.', when: FROM_FILE },
    promptField: { kind: 'string', default: 'prompt', label: 'Prompt field', help: 'Text or a message list. Without it, the beginning chosen and rejected share is the prompt.', when: FROM_FILE },
    chosenField: { kind: 'string', default: 'chosen', label: 'Chosen field', help: 'The field holding the better response.', when: FROM_FILE },
    rejectedField: { kind: 'string', default: 'rejected', label: 'Rejected field', help: 'The field holding the worse response.', when: FROM_FILE },
    csvDelimiter: { kind: 'enum', options: ['comma', 'semicolon', 'tab'], default: 'comma', label: 'CSV delimiter', help: 'The character between columns of the .csv file.', when: { all: [FROM_FILE, { param: 'file', endsWith: ['.csv'] }] } },
    encoding: { ...encodingParam(), when: FROM_FILE },
    onBadRecord: { kind: 'enum', options: ['skip', 'fail'], default: 'fail', label: 'On bad record', help: 'Invalid JSON, a wrong CSV row, a missing field or a response list that does not end in one assistant message.', when: FROM_FILE },
    maxRecords: { kind: 'integer', default: 0, min: 0, help: 'Stop after this many pairs (for a quick try); 0 reads everything.', when: FROM_FILE },
    task: { kind: 'enum', options: ['arithmetic', 'sentiment'], default: 'arithmetic', help: 'Synthetic: a+b= answered right (chosen) or with a typical mistake; or two reviews, the one AFINN-165 (a list of words scored from -5, negative, to 5, positive) scores higher chosen.', when: SYNTHETIC },
    count: { kind: 'integer', default: 2000, min: 10, max: 1_000_000, help: 'How many pairs to make.', when: SYNTHETIC },
    digits: { kind: 'integer', default: 2, min: 1, max: 6, help: 'Digits in each number added.', when: { all: [SYNTHETIC, { param: 'task', is: ['arithmetic'] }] } },
    wordsPerSide: { kind: 'integer', default: 40, min: 4, max: 1000, help: 'How many positive and how many negative AFINN words the reviews use.', when: { all: [SYNTHETIC, { param: 'task', is: ['sentiment'] }] } },
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
  outputFacts: (p) => ({ preferences: { validationSplit: p.heldOut > 0 } }),
});

export default defineNode(spec, () => import('./run.ts'));
