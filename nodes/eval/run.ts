import { openModelInput } from '../lib/model-input.ts';
import { withSplitFiles } from '../lib/dataset.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (inputs, p, ctx) => {
  const dataset = withSplitFiles(inputs.dataset);
  const model = await openModelInput(inputs.model);
  const { backend, config, params, tok } = model;
  try {
    if (!config.causal && (p.metric === 'perplexity' || p.metric === 'exact-match')) throw new Error(`${p.metric} needs a decoder (causal) model; this one is an encoder: choose the masked-lm metric (or classification for a classifier)`);
    if (config.causal && p.metric === 'masked-lm') throw new Error('masked-lm needs an encoder (masked-LM) model; this one is a causal decoder: choose the perplexity metric');
    let values: Record<string, number>;
    if (p.metric === 'masked-lm') values = await (await import('./masked-lm.ts')).maskedLm(params, config, tok, dataset, p.split, p.maxTokens, p.batchSize, ctx);
    else if (p.metric === 'perplexity') values = await (await import('./perplexity.ts')).perplexity(params, config, tok, dataset, p.split, p.maxTokens, p.batchSize, ctx);
    else if (p.metric === 'exact-match') values = await (await import('./exact-match.ts')).exactMatch(params, config, tok, dataset, p.split, p.maxExamples, p.maxNewTokens, ctx);
    else values = await (await import('./classification.ts')).classification(params, config, tok, dataset, p.split, p.maxExamples, ctx);
    return { outputs: { metrics: { kind: 'metrics', values } }, metrics: values, backend };
  } finally {
    model.dispose();
  }
};

export default run;
