import { defineNode, nodeSpec } from '../sdk/index.ts';

export const spec = nodeSpec({
  type: 'eval',
  version: 1,
  category: 'Evaluation',
  label: 'Evaluate',
  description:
    'Perplexity of a language model (beside the unigram baseline), masked-LM loss, perplexity and accuracy of an encoder (BERT, RoBERTa) on a fixed 15% of masked tokens, exact match of greedy answers to held-out prompts, or classification accuracy, macro F1 and confusion matrix (beside the majority class).',
  heavy: true,
  inputs: { model: { type: 'Model' }, dataset: { type: 'Dataset' } },
  outputs: { metrics: { type: 'Metrics' } },
  params: {
    metric: {
      kind: 'enum',
      options: ['perplexity', 'masked-lm', 'exact-match', 'classification'],
      default: 'perplexity',
      help: 'perplexity: next-token, for a decoder. masked-lm: an encoder fills in a fixed, seeded 15% of tokens masked. exact-match: greedy answers of a decoder. classification: a model with a classification head.',
    },
    split: { kind: 'enum', options: ['validation', 'test', 'train'], default: 'validation' },
    maxTokens: { kind: 'integer', default: 100_000, min: 100, max: 100_000_000, help: 'Perplexity and masked LM: evaluate on at most this many tokens.' },
    maxExamples: { kind: 'integer', default: 500, min: 1, max: 1_000_000, help: 'Exact match and classification: at most this many records.' },
    maxNewTokens: { kind: 'integer', default: 16, min: 1, max: 4096, help: 'Exact match: longest answer generated.' },
    batchSize: { kind: 'integer', default: 8, min: 1, max: 1024 },
  },
  metricNames: (p) =>
    p.metric === 'perplexity'
      ? ['loss', 'perplexity', 'tokens', 'unigramBaseline']
      : p.metric === 'masked-lm'
        ? ['loss', 'perplexity', 'accuracy', 'maskedTokens']
        : p.metric === 'exact-match' ? ['exactMatch', 'examples'] : ['accuracy', 'macroF1', 'majorityBaseline', 'examples'],
});

export default defineNode(spec, () => import('./run.ts'));

