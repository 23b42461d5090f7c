import type { MetricsHandle, RunOf } from '../sdk/index.ts';
import { decide } from './condition.ts';
import type { spec } from './index.ts';

function read(handle: MetricsHandle, name: string, port: string): number {
  const v = handle.values[name];
  if (typeof v !== 'number') {
    const names = Object.keys(handle.values);
    throw new Error(`metric "${name}" is not in the ${port} input; it has ${names.length ? names.join(', ') : 'no metrics'}`);
  }
  return v;
}

const run: RunOf<typeof spec> = async (inputs, p, ctx) => {
  const metric = p.metric.trim();
  const refName = p.referenceMetric.trim();
  const value = read(inputs.metrics, metric, 'metrics');
  const refPort = inputs.reference ? 'reference' : 'metrics';
  const bound = refName ? read(inputs.reference ?? inputs.metrics, refName, refPort) : p.threshold;
  const d = decide({ ...p, metric }, value, bound, refName ? (inputs.reference ? `reference ${refName}` : refName) : undefined);
  const values = { passed: d.passed ? 1 : 0, value: d.value, bound: d.bound };
  ctx.log.info(`gate ${d.passed ? 'open' : 'closed'}: ${d.explanation}`);
  await ctx.progress({ step: 1, total: 1, metrics: values });
  return {
    outputs: { model: inputs.model, decision: { kind: 'metrics', values } },
    metrics: values,
    ...(d.passed ? {} : { closed: { reason: d.explanation } }),
  };
};

export default run;
