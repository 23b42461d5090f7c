import type { ModelConfig } from '../../sdk/index.ts';
import { shapeOf } from '../hf-config.ts';

export { fromHfConfig, toHfConfig } from '../hf-config.ts';

/** Model configuration (the contract's ModelConfig), stored as a Hugging Face config.json in its family's names. */
export type GptConfig = ModelConfig;

/** Trainable parameters, as transformers counts them (a tied head counted once). */
export function parameterCount(config: GptConfig): number {
  const c = shapeOf(config);
  const d = c.width;
  const q = c.heads * c.headDim;
  const kv = c.kvHeads * c.headDim;
  const I = c.intermediateSize;
  const gpt2 = c.family === 'gpt2';
  const norms = gpt2 ? 2 * 2 * d : 2 * d;
  const attn = d * (q + 2 * kv) + (c.qkvBias ? q + 2 * kv : 0) + q * d + (c.attnOutputBias ? d : 0) + (c.qkNorm ? 2 * c.headDim : 0);
  const mlp = gpt2 ? 2 * d * I + (c.mlpBias ? I + d : 0) : 3 * d * I + (c.mlpBias ? 2 * I + d : 0);
  const perLayer = norms + attn + mlp;
  const head = c.tiedEmbeddings ? 0 : c.vocabSize * d;
  const cls = c.numClasses ? d * c.numClasses : 0;
  const positions = gpt2 ? c.contextLength * d : 0;
  return c.vocabSize * d + positions + c.layers * perLayer + (gpt2 ? 2 * d : d) + head + cls;
}

/**
 * Bytes training needs: weights, gradients and two Adam moments, plus activations kept for
 * backprop. tfjs keeps every intermediate of the unfused LayerNorm/GELU/softmax chains, about 3x
 * what PyTorch keeps, so the activation factor is generous.
 */
export function trainingBytes(config: GptConfig, batch: number, context = config.contextLength): number {
  const c = shapeOf(config);
  const params = parameterCount(c) * 4 * 4;
  const n = batch * context;
  const perLayer = n * (c.width * 10 + c.intermediateSize * 6 + c.heads * c.headDim * 6) + batch * c.heads * context * context * 4;
  const logits = n * c.vocabSize * 4;
  return params + 4 * (c.layers * perLayer + logits);
}
