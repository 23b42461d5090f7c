import type { ModelConfig } from '../sdk/index.ts';

/** A new model's shape from its params (the vocabulary from its tokenizer): validation's facts and the run's config. */
export function newModel(p: { architecture: string; layers: number; heads: number; kvHeads: number; width: number; mlpWidth: number; context: number; ropeTheta: number; dropout: number; tiedEmbeddings: boolean }, vocab: number | undefined): ModelConfig {
  const llama = p.architecture === 'llama';
  const encoder = p.architecture === 'encoder';
  return {
    vocabSize: vocab ?? 256,
    contextLength: p.context,
    width: p.width,
    layers: p.layers,
    heads: p.heads,
    dropout: p.dropout,
    causal: !encoder,
    tiedEmbeddings: p.tiedEmbeddings,
    layerNormEps: llama ? 1e-6 : encoder ? 1e-12 : 1e-5,
    numClasses: 0,
    maskTokenId: -1,
    ...(encoder
      ? // BERT's layout: post-LN, exact GELU, token types, embedding LayerNorm, masked-LM head.
        { family: 'bert' as const, intermediateSize: p.mlpWidth || 4 * p.width, activation: 'gelu', typeVocabSize: 2 }
      : llama
        ? { family: 'llama' as const, kvHeads: p.kvHeads || p.heads, headDim: p.width / p.heads, intermediateSize: p.mlpWidth || Math.ceil((8 * p.width) / 3 / 16) * 16, rope: { theta: p.ropeTheta } }
        : { family: 'gpt2' as const, intermediateSize: p.mlpWidth || 4 * p.width }),
  };
}
