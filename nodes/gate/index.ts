import { defineNode, nodeSpec } from '../sdk/index.ts';
import { passModel } from '../lib/model-checks.ts';
import { COMPARISONS } from './condition.ts';

export const spec = nodeSpec({
  type: 'gate',
  version: 1,
  category: 'Evaluation',
  label: 'Gate',
  description:
    'Lets the run go on only when a metric passes a condition (e.g. the quantized model\'s perplexity within 2% of the original\'s). The model passes through unchanged; when the condition fails, the gate closes: every node after it is skipped with the reason, and the run still succeeds.',
  inputs: {
    metrics: { type: 'Metrics', description: 'The metrics the condition reads (e.g. from Evaluate).' },
    model: { type: 'Model', description: 'Passed through to the output when the gate opens.' },
    reference: { type: 'Metrics', optional: true, description: 'Where the reference metric is read (e.g. the original model\'s evaluation); default: the metrics input.' },
  },
  outputs: {
    model: { type: 'Model', description: 'The model input, unchanged.' },
    decision: { type: 'Metrics', description: 'passed (1 or 0), value and bound.' },
  },
  params: {
    metric: { kind: 'string', default: 'perplexity', help: 'Name of the metric to check, as its node reports it, e.g. perplexity (lower is better), loss, accuracy, valLoss.' },
    comparison: { kind: 'enum', options: COMPARISONS, default: '<=', help: '"within %": |value − reference| / |reference| at most the tolerance.' },
    threshold: { kind: 'number', default: 0, help: 'The bound (or, for "within %", the reference value) when no reference metric is named.', when: { param: 'referenceMetric', is: [''] } },
    referenceMetric: { kind: 'string', default: '', label: 'Reference metric', help: 'Compare with this metric (of the reference input when connected, else of the metrics input) instead of the fixed threshold.' },
    tolerance: { kind: 'number', default: 2, min: 0, max: 1_000_000, label: 'Tolerance (%)', help: 'How far, in percent of the reference, the value may be from it.', when: { param: 'comparison', is: ['within %'] } },
  },
  validate(p) {
    const problems = [];
    if (!p.metric.trim()) problems.push({ param: 'metric', message: 'name the metric to check' });
    return problems;
  },
  validateWithInputs(p, inputs) {
    const problems = [];
    const known = inputs.metrics?.metricNames;
    if (known && p.metric.trim() && !known.includes(p.metric.trim())) {
      problems.push({ param: 'metric', message: `"${p.metric}" is not a metric its input reports; it reports ${known.join(', ')}` });
    }
    const ref = p.referenceMetric.trim();
    const refKnown = inputs.reference ? inputs.reference.metricNames : known;
    if (ref && refKnown && !refKnown.includes(ref)) {
      problems.push({ param: 'referenceMetric', message: `"${ref}" is not a metric its ${inputs.reference ? 'reference' : 'metrics'} input reports; it reports ${refKnown.join(', ')}` });
    }
    return problems;
  },
  metricNames: () => ['passed', 'value', 'bound'],
  outputFacts: (_p, inputs) => passModel(inputs),
});

export default defineNode(spec, () => import('./run.ts'));
