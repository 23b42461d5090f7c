import { defineNode, nodeSpec } from '../sdk/index.ts';
import { missingSplitProblem, modelOf, needsDecoder, needsEncoder } from '../lib/model-checks.ts';

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
      help: 'perplexity: how surprised a decoder is by held-out text (lower is better; about the number of tokens it hesitates between). masked-lm: how well an encoder (BERT) fills in a fixed, seeded 15% of tokens hidden from it. exact-match: share of prompts answered exactly right. classification: share of texts given the right label.',
    },
    split: { kind: 'enum', options: ['validation', 'test', 'train'], default: 'validation', help: 'Which part of the dataset to measure on: text the model did not train on shows how well it generalises.' },
    maxTokens: { kind: 'integer', default: 100_000, min: 100, max: 100_000_000, help: 'Measure on at most this many tokens.', when: { param: 'metric', is: ['perplexity', 'masked-lm'] } },
    maxExamples: { kind: 'integer', default: 500, min: 1, max: 1_000_000, help: 'Measure on at most this many records.', when: { param: 'metric', is: ['exact-match', 'classification'] } },
    maxNewTokens: { kind: 'integer', default: 16, min: 1, max: 4096, help: 'Longest answer generated, in tokens.', when: { param: 'metric', is: ['exact-match'] } },
    batchSize: { kind: 'integer', default: 8, min: 1, max: 1024, help: 'Sequences measured at once: larger is faster and needs more memory; the result is the same.' },
  },
  metricNames: (p) =>
    p.metric === 'perplexity'
      ? ['loss', 'perplexity', 'tokens', 'unigramBaseline']
      : p.metric === 'masked-lm'
        ? ['loss', 'perplexity', 'accuracy', 'maskedTokens']
        : p.metric === 'exact-match' ? ['exactMatch', 'examples'] : ['accuracy', 'macroF1', 'majorityBaseline', 'examples'],
  validateWithInputs: (p, inputs) => [
    ...(p.metric === 'perplexity' || p.metric === 'exact-match' ? needsDecoder(modelOf(inputs), p.metric === 'perplexity' ? 'Next-token perplexity' : 'Exact match') : []),
    ...(p.metric === 'masked-lm' ? needsEncoder(modelOf(inputs), 'Masked-LM evaluation', 'metric') : []),
    ...missingSplitProblem(inputs, 'dataset', p.split, 'evaluate on'),
  ],
});

export default defineNode(spec, () => import('./run.ts'));

