import { defineNode, type NodeResult } from '../sdk/index.ts';

const GIB = 1024 ** 3;

export default defineNode({
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
  async run(inputs, p, ctx): Promise<NodeResult> {
    const { join } = await import('node:path');
    const { useBestBackend } = await import('../lib/backend.ts');
    const { initParams, disposeParams } = await import('../lib/gpt/model.ts');
    const { saveModelFolder, loadModelFolder } = await import('../lib/gpt/io.ts');
    const { parameterCount, trainingBytes } = await import('../lib/gpt/config.ts');
    const { TextTokenizer, EOS } = await import('../lib/tokenizer.ts');
    const backend = await useBestBackend();
    if (p.source === 'folder') {
      const { config, params } = loadModelFolder(p.folder);
      const tokPath = join(p.folder, 'tokenizer.json');
      TextTokenizer.fromFile(tokPath);
      const handle = await saveModelFolder(ctx.artifactDir, params, config, tokPath);
      disposeParams(params);
      return { outputs: { model: handle }, metrics: { parameters: handle.parameters }, backend };
    }
    const tokHandle = inputs.tokenizer as { path: string; vocabSize: number };
    const tok = TextTokenizer.fromFile(tokHandle.path);
    const config = {
      vocabSize: tok.vocabSize,
      contextLength: p.context,
      width: p.width,
      layers: p.layers,
      heads: p.heads,
      dropout: p.dropout,
      causal: p.architecture === 'decoder',
      tiedEmbeddings: p.tiedEmbeddings,
      layerNormEps: 1e-5,
      numClasses: 0,
      maskTokenId: p.architecture === 'encoder' ? (tok.specials['<mask>'] ?? tok.specials[EOS] ?? -1) : -1,
    };
    const params = initParams(config, ctx.seed);
    const handle = await saveModelFolder(ctx.artifactDir, params, config, tokHandle.path);
    disposeParams(params);
    const bytes = trainingBytes(config, p.estimateBatch);
    ctx.log.info(`${parameterCount(config).toLocaleString('en-US')} parameters; training at batch ${p.estimateBatch} needs about ${(bytes / GIB).toFixed(2)} GiB`);
    return { outputs: { model: handle }, metrics: { parameters: parameterCount(config), trainingMemoryGiB: bytes / GIB }, backend };
  },
});
