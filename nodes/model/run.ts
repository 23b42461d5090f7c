import { join } from 'node:path';
import { useBestBackend } from '../lib/backend.ts';
import { initParams, disposeParams } from '../lib/gpt/model.ts';
import { saveModelFolder, loadModelFolder } from '../lib/gpt/io.ts';
import { parameterCount, trainingBytes } from '../lib/gpt/config.ts';
import { TextTokenizer, EOS } from '../lib/tokenizer.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const GIB = 1024 ** 3;

const run: RunOf<typeof spec> = async (inputs, p, ctx) => {
  const backend = await useBestBackend();
  if (p.source === 'folder') {
    const { config, params } = loadModelFolder(p.folder);
    const tokPath = join(p.folder, 'tokenizer.json');
    TextTokenizer.fromFile(tokPath);
    const handle = await saveModelFolder(ctx.artifactDir, params, config, tokPath);
    disposeParams(params);
    const metrics: Record<string, number> = { parameters: handle.parameters };
    return { outputs: { model: handle }, metrics, backend };
  }
  const tokHandle = inputs.tokenizer;
  if (!tokHandle) throw new Error('a new model needs a tokenizer for its vocabulary');
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
};

export default run;
