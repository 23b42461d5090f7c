import { defineNode, nodeSpec, type NodeProblem } from '../sdk/index.ts';
import { splitsOf } from '../lib/model-checks.ts';
import { parseKeywordRules, parseMapping } from './rules.ts';

export const spec = nodeSpec({
  type: 'data.label',
  version: 1,
  category: 'Data',
  label: 'Label records',
  description:
    'Gives each record a class label: copied from a field, mapped from a field\'s values, or from keyword rules on the text. ' +
    'Records left without a label are skipped, stop the run, or get a default label.',
  inputs: { dataset: { type: 'Dataset' } },
  outputs: { dataset: { type: 'Dataset' } },
  params: {
    from: { kind: 'enum', options: ['field', 'mapping', 'keywords'], default: 'field', label: 'Label from', help: 'Where labels come from: a field copied as it is, a field\'s values mapped to labels, or words found in the text.' },
    field: {
      kind: 'string',
      default: '',
      help: 'field: the field copied to "label"; mapping: the field whose values are mapped; keywords: the field searched (empty: the text, or prompt and response).',
    },
    mapping: { kind: 'text', default: '', help: 'value=label entries, separated by commas or lines, e.g. "spam-1=spam, easy-ham-1=ham".', when: { param: 'from', is: ['mapping'] } },
    rules: {
      kind: 'text',
      default: '',
      label: 'Keyword rules',
      help: 'One rule a line, "label: phrase|other phrase"; phrases match whole words, ignoring case; the first matching rule wins.',
      when: { param: 'from', is: ['keywords'] },
    },
    unlabelled: {
      kind: 'enum',
      options: ['skip', 'fail', 'default'],
      default: 'fail',
      label: 'Records without a label',
      help: 'Leave them out, stop with an error naming the record, or give them the default label.',
    },
    defaultLabel: { kind: 'string', default: '', help: 'The label given to records nothing else labels.', when: { param: 'unlabelled', is: ['default'] } },
  },
  validate(params) {
    const problems: NodeProblem[] = [];
    if ((params.from === 'field' || params.from === 'mapping') && params.field.trim() === '') problems.push({ param: 'field', message: `choose the field to label ${params.from === 'field' ? 'from' : 'by'}` });
    if (params.from === 'mapping') {
      const { mapping, errors } = parseMapping(params.mapping);
      problems.push(...errors.map((message) => ({ param: 'mapping', message })));
      if (!errors.length && mapping.size === 0) problems.push({ param: 'mapping', message: 'add at least one value=label entry' });
    }
    if (params.from === 'keywords') {
      const { rules, errors } = parseKeywordRules(params.rules);
      problems.push(...errors.map((message) => ({ param: 'rules', message })));
      if (!errors.length && rules.length === 0) problems.push({ param: 'rules', message: 'add at least one rule, e.g. "spam: free money|viagra"' });
    }
    if (params.unlabelled === 'default' && params.defaultLabel.trim() === '') problems.push({ param: 'defaultLabel', message: 'give the label for records no rule labels' });
    return problems;
  },
  // The splits pass through.
  outputFacts: (_p, inputs) => splitsOf(inputs.dataset),
});

export default defineNode(spec, () => import('./run.ts'));

