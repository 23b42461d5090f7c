import { parseKeywordRules, parseMapping } from './rules.ts';
import { withSplitFiles, readSplit, recordText, DatasetWriter, SPLITS } from '../lib/dataset.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

/** Past this many distinct labels, per-label metrics would swamp the run history; only the total is kept. */
const MAX_LABEL_METRICS = 50;

const run: RunOf<typeof spec> = async (inputs, params, ctx) => {
  const source = withSplitFiles(inputs.dataset);
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
};

export default run;
