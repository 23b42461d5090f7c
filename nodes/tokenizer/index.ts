import { defineNode, nodeSpec } from '../sdk/index.ts';

export const spec = nodeSpec({
  type: 'tokenizer',
  version: 1,
  category: 'Model',
  label: 'Tokenizer',
  description: 'Byte-level (no training), byte-level BPE trained on a dataset with the Hugging Face tokenizers library, or a tokenizer.json file. Saves tokenizer.json.',
  inputs: { dataset: { type: 'Dataset', optional: true, description: 'Text to train BPE on (its train split).' } },
  outputs: { tokenizer: { type: 'Tokenizer' } },
  params: {
    kind: {
      kind: 'enum',
      options: ['bpe', 'byte-level', 'file'],
      default: 'bpe',
      help: 'How text is cut into the pieces (tokens) a model reads. bpe learns frequent pieces of words from the dataset; byte-level uses single bytes (no training, longer sequences); file loads a tokenizer.json.',
    },
    vocabSize: { kind: 'integer', default: 1024, min: 257, max: 65536, label: 'Vocabulary size', help: 'How many different tokens there are: 256 single bytes, plus the word pieces learned, plus the special tokens. Larger means shorter sequences but a bigger model.', when: { param: 'kind', is: ['bpe'] } },
    specialTokens: { kind: 'string', default: '<|endoftext|>', help: 'Reserved markers, comma-separated, that never occur in text (e.g. <|endoftext|>); the first one separates documents.', when: { param: 'kind', not: ['file'] } },
    file: { kind: 'file', default: '', extensions: ['.json'], help: 'A tokenizer.json file (as Hugging Face models ship it).', when: { param: 'kind', is: ['file'] } },
  },
  // Byte-level: 256 byte tokens and the special tokens; BPE: the size asked for (a file: known at run time).
  outputFacts: (p) => {
    const specials = p.specialTokens.split(',').filter((t) => t.trim()).length;
    const vocabSize = p.kind === 'byte-level' ? 256 + specials : p.kind === 'bpe' ? p.vocabSize : undefined;
    return vocabSize ? { tokenizer: { vocabSize } } : {};
  },
  validate(params, connected) {
    const problems = [];
    if (params.kind === 'bpe' && !connected.includes('dataset')) problems.push({ port: 'dataset', message: 'BPE needs a dataset to train on' });
    if (params.kind === 'file' && !params.file) problems.push({ param: 'file', message: 'choose a tokenizer.json file' });
    return problems;
  },
});

export default defineNode(spec, () => import('./run.ts'));

