import { defineNode, type NodeResult } from '../sdk/index.ts';

export default defineNode({
  type: 'eval',
  version: 1,
  category: 'Evaluation',
  label: 'Evaluate',
  description:
    'Perplexity of a language model (beside the unigram baseline), exact match of greedy answers to held-out prompts, or classification accuracy, macro F1 and confusion matrix (beside the majority class).',
  heavy: true,
  inputs: { model: { type: 'Model' }, dataset: { type: 'Dataset' } },
  outputs: { metrics: { type: 'Metrics' } },
  params: {
    metric: { kind: 'enum', options: ['perplexity', 'exact-match', 'classification'], default: 'perplexity' },
    split: { kind: 'enum', options: ['validation', 'test', 'train'], default: 'validation' },
    maxTokens: { kind: 'integer', default: 100_000, min: 100, max: 100_000_000, help: 'Perplexity: evaluate on at most this many tokens.' },
    maxExamples: { kind: 'integer', default: 500, min: 1, max: 1_000_000, help: 'Exact match and classification: at most this many records.' },
    maxNewTokens: { kind: 'integer', default: 16, min: 1, max: 4096, help: 'Exact match: longest answer generated.' },
    batchSize: { kind: 'integer', default: 8, min: 1, max: 1024 },
  },
  async run(inputs, p, ctx): Promise<NodeResult> {
    const { openModelInput } = await import('../lib/model-input.ts');
    const { assertDataset } = await import('../lib/dataset.ts');
    const dataset = assertDataset(inputs.dataset, 'dataset');
    const model = await openModelInput(inputs.model);
    const { backend, config, params, tok } = model;
    try {
      if (!config.causal) throw new Error('evaluation here needs a decoder (causal) model');
      let values: Record<string, number>;
      if (p.metric === 'perplexity') values = await (await import('./perplexity.ts')).perplexity(params, config, tok, dataset, p.split, p.maxTokens, p.batchSize, ctx);
      else if (p.metric === 'exact-match') values = await (await import('./exact-match.ts')).exactMatch(params, config, tok, dataset, p.split, p.maxExamples, p.maxNewTokens, ctx);
      else values = await (await import('./classification.ts')).classification(params, config, tok, dataset, p.split, p.maxExamples, ctx);
      return { outputs: { metrics: { kind: 'metrics', values } }, metrics: values, backend };
    } finally {
      model.dispose();
    }
  },
});
