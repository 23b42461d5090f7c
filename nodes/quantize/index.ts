import { defineNode, nodeSpec, type NodeProblem } from '../sdk/index.ts';
import { missingSplitProblem, modelOf, needsDecoder, passModel } from '../lib/model-checks.ts';

export const spec = nodeSpec({
  type: 'quantize',
  version: 1,
  category: 'Model',
  label: 'Quantize',
  description:
    "Post-training weight quantization to 8-bit (Q8_0) or 4-bit (Q4_0, Q4_K), in GGUF's own block formats, bit-identical to llama.cpp's. The output is a model folder with model.gguf that Generate, Evaluate, the playground and endpoints run as is; metrics compare file size and perplexity before and after on the connected data.",
  heavy: true,
  inputs: {
    model: { type: 'Model' },
    dataset: { type: 'Dataset', optional: true, description: 'Text to measure perplexity before and after on (its chosen split).' },
    text: { type: 'Text', optional: true, description: 'Or a plain text to measure perplexity on.' },
  },
  outputs: { model: { type: 'Model' }, metrics: { type: 'Metrics' } },
  params: {
    type: {
      kind: 'enum',
      options: ['Q8_0', 'Q4_0', 'Q4_K'],
      default: 'Q8_0',
      help: 'Q8_0: 8 bits per weight plus a scale per 32 (about 3.8x smaller than float32, nearly lossless). Q4_0: 4 bits plus a scale per 32 (about 7x smaller, some loss; the output matrix stays Q8_0 as llama.cpp keeps it at higher precision). Q4_K: 4 bits with a 6-bit scale and minimum per 32 in super-blocks of 256 (4.5 bits per weight, less loss than Q4_0; output matrix Q8_0; rows that are not multiples of 256 fall back to Q5_0, as in llama.cpp).',
    },
    split: { kind: 'enum', options: ['validation', 'test', 'train'], default: 'validation', help: 'Dataset split to measure perplexity on.', when: { connected: 'dataset' } },
    maxTokens: { kind: 'integer', default: 20_000, min: 100, max: 10_000_000, help: 'Measure perplexity on at most this many tokens.', when: { any: [{ connected: 'dataset' }, { connected: 'text' }] } },
    batchSize: { kind: 'integer', default: 8, min: 1, max: 1024, help: 'Sequences measured at once: larger is faster and needs more memory.', when: { any: [{ connected: 'dataset' }, { connected: 'text' }] } },
  },
  validate(_p, connected) {
    const problems: NodeProblem[] = [];
    if (connected.includes('dataset') && connected.includes('text')) problems.push({ port: 'text', message: 'connect either a dataset or a text to measure perplexity on, not both' });
    return problems;
  },
  outputFacts: (_p, inputs) => passModel(inputs),
  // GGUF's block types and the perplexity comparison are for decoders.
  validateWithInputs: (p, inputs) => [...needsDecoder(modelOf(inputs), 'Quantization to GGUF'), ...missingSplitProblem(inputs, 'dataset', p.split, 'measure perplexity on')],
});

export default defineNode(spec, () => import('./run.ts'));
