import { defineNode, type NodeProblem } from '../sdk/index.ts';
import { parseKeywordRules, parseMapping } from './rules.ts';

/** Past this many distinct labels, per-label metrics would swamp the run history; only the total is kept. */
const MAX_LABEL_METRICS = 50;

export default defineNode({
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
    from: { kind: 'enum', options: ['field', 'mapping', 'keywords'], default: 'field', label: 'Label from' },
    field: {
      kind: 'string',
      default: '',
      help: 'field: the field copied to "label"; mapping: the field whose values are mapped; keywords: the field searched (empty: the text, or prompt and response).',
    },
    mapping: { kind: 'text', default: '', help: 'value=label entries, separated by commas or lines, e.g. "spam-1=spam, easy-ham-1=ham".' },
    rules: {
      kind: 'text',
      default: '',
      label: 'Keyword rules',
      help: 'One rule a line, "label: phrase|other phrase"; phrases match whole words, ignoring case; the first matching rule wins.',
    },
    unlabelled: {
      kind: 'enum',
      options: ['skip', 'fail', 'default'],
      default: 'fail',
      label: 'Records without a label',
      help: 'Leave them out, stop with an error naming the record, or give them the default label.',
    },
    defaultLabel: { kind: 'string', default: '', help: 'Used when "Records without a label" is default.' },
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
  async run(inputs, params, ctx) {
    const { assertDataset, readSplit, recordText, DatasetWriter, SPLITS } = await import('../lib/dataset.ts');
    const source = assertDataset(inputs.dataset, 'dataset');
    const field = params.field.trim();
    const { mapping } = parseMapping(params.mapping);
    const { rules } = parseKeywordRules(params.rules);

    const valueOf = (record: Record<string, unknown>): string | undefined => {
      const v = record[field];
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
    };
    /** The label, or why there is none (for the error a user sees in fail mode). */
    const labelOf = (record: Record<string, unknown>): { label: string } | { why: string } => {
      if (params.from === 'keywords') {
        const text = field ? (valueOf(record) ?? '') : recordText(record);
        const rule = rules.find((r) => r.pattern.test(text));
        return rule ? { label: rule.label } : { why: 'no keyword rule matches' };
      }
      const value = valueOf(record)?.trim();
      if (value === undefined || value === '') return { why: `field "${field}" is missing or empty` };
      if (params.from === 'field') return { label: value };
      const label = mapping.get(value);
      return label !== undefined ? { label } : { why: `"${value}" in field "${field}" is not in the mapping` };
    };

    const counts = new Map<string, number>();
    let skipped = 0;
    let defaulted = 0;
    let processed = 0;
    const total = SPLITS.reduce((n, s) => n + (source.splits[s]?.rows ?? 0), 0);
    const writer = new DatasetWriter(ctx.artifactDir, source);
    try {
      for (const split of SPLITS) {
        let index = 0;
        for await (const record of readSplit(source, split)) {
          index++;
          const found = labelOf(record);
          let label: string;
          if ('label' in found) label = found.label;
          else if (params.unlabelled === 'default') {
            label = params.defaultLabel.trim();
            defaulted++;
          } else if (params.unlabelled === 'skip') {
            skipped++;
            continue;
          } else {
            throw new Error(`${split} record ${index}: no label (${found.why}); choose "skip" or "default" for records without a label`);
          }
          counts.set(label, (counts.get(label) ?? 0) + 1);
          await writer.write(split, { ...record, label });
          if (++processed % 1000 === 0) await ctx.progress({ step: processed + skipped, total });
        }
      }
    } catch (e) {
      await writer.close().catch(() => undefined);
      throw e;
    }
    const dataset = await writer.close();
    if (processed === 0) throw new Error(`no record got a label (${skipped} skipped); check the field, mapping or rules`);

    const metrics: Record<string, number> = { labelled: processed, skipped, defaulted, distinctLabels: counts.size };
    const sorted = [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (counts.size <= MAX_LABEL_METRICS) for (const [label, n] of sorted) metrics[`label:${label}`] = n;
    else ctx.log.warn(`${counts.size} distinct labels; per-label counts are left out of the metrics`);
    ctx.log.info(`labels: ${sorted.slice(0, 20).map(([l, n]) => `${l} ${n}`).join(', ')}${sorted.length > 20 ? ', …' : ''}${skipped ? `; ${skipped} unlabelled skipped` : ''}`);
    return { outputs: { dataset }, metrics };
  },
});
