import { defineNode, nodeSpec } from '../sdk/index.ts';

export const spec = nodeSpec({
  type: 'model',
  version: 1,
  category: 'Model',
  label: 'Model',
  description: 'A GPT-style decoder or a bidirectional encoder with seeded initialisation, or a model folder in the Hugging Face layout (config.json, model.safetensors, GPT-2 names).',
  inputs: { tokenizer: { type: 'Tokenizer', optional: true, description: 'Sets the vocabulary of a new model.' } },
  outputs: { model: { type: 'Model' } },
  params: {
    source: { kind: 'enum', options: ['new', 'folder'], default: 'new' },
    architecture: { kind: 'enum', options: ['decoder', 'encoder'], default: 'decoder', help: 'Decoder: GPT (causal LM, chat). Encoder: masked LM and classification.' },
    layers: { kind: 'integer', default: 4, min: 1, max: 48 },
    heads: { kind: 'integer', default: 4, min: 1, max: 64 },
    width: { kind: 'integer', default: 128, min: 8, max: 4096, help: 'Embedding size; a multiple of heads.' },
    context: { kind: 'integer', default: 128, min: 8, max: 8192, help: 'Longest sequence, in tokens.' },
    dropout: { kind: 'number', default: 0.1, min: 0, max: 0.9 },
    tiedEmbeddings: { kind: 'boolean', default: true, help: 'The output layer reuses the token embeddings (as GPT-2).' },
    estimateBatch: { kind: 'integer', default: 16, min: 1, max: 4096, help: 'Batch size for the memory estimate.' },
    folder: { kind: 'folder', default: '', help: 'For source "folder": a folder with config.json, model.safetensors and tokenizer.json.' },
  },
  validate(p, connected) {
    const problems = [];
    if (p.source === 'new' && p.width % p.heads !== 0) problems.push({ param: 'width', message: `width ${p.width} must be a multiple of heads (${p.heads})` });
    if (p.source === 'new' && !connected.includes('tokenizer')) problems.push({ port: 'tokenizer', message: 'a new model needs a tokenizer for its vocabulary' });
    if (p.source === 'folder' && !p.folder) problems.push({ param: 'folder', message: 'choose a model folder' });
    return problems;
  },
});

export default defineNode(spec, () => import('./run.ts'));

