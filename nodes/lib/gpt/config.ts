import type { ModelConfig } from '../../sdk/index.ts';
import { isEncoderFamily, shapeOf, type ModelShape } from '../hf-config.ts';
import { deviceUsed } from '../device-state.ts';

export { fromHfConfig, toHfConfig } from '../hf-config.ts';

/** Model configuration (the contract's ModelConfig), stored as a Hugging Face config.json in its family's names. */
export type GptConfig = ModelConfig;

/** Trainable parameters, as transformers counts them (a tied head counted once). */
export function parameterCount(config: GptConfig): number {
  const c = shapeOf(config);
  if (isEncoderFamily(c.family)) return encoderParameterCount(c);
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

/** BERT as transformers counts it: a masked-LM model (tied decoder once), or a classifier (pooler + classifier, no MLM head). */
function encoderParameterCount(c: ModelShape): number {
  const d = c.width;
  const I = c.intermediateSize;
  const embeddings = (c.vocabSize + c.contextLength + (c.positionOffset ?? 0) + (c.typeVocabSize ?? 2)) * d + 2 * d;
  const perLayer = 4 * (d * d + d) + d * I + I + I * d + d + 2 * 2 * d;
  // Untied, the decoder has its own bias beside the head's (tied to it otherwise).
  const head = c.numClasses ? d * d + d + d * c.numClasses + c.numClasses : d * d + d + 2 * d + c.vocabSize + (c.tiedEmbeddings ? 0 : c.vocabSize * (d + 1));
  return embeddings + c.layers * perLayer + head;
}

/**
 * Bytes training needs at its peak: the weights; the gradients and two Adam moments of what learns
 * (with LoRA only the adapters); and the tensors the backward pass keeps. tfjs keeps every
 * intermediate of a step until the step ends, so per token and layer it holds about 54
 * width-sized and 5 MLP-sized vectors for GPT-2 (whose GELU and LayerNorm are single kernels on
 * wasm, fused-ops.ts), 85 and 20 for the Llama family with RMSNorm, SwiGLU and RoPE op by op (60 and 14 with their fused
 * wasm kernels, llama-fused-ops.ts),
 * 5.5 floats per head and position of the attention, and 9 per vocabulary entry of the logits.
 * A learning embedding adds two table-sized tensors (its gradient's one-hot product and the tied
 * head's), and gradient accumulation one more set of gradients (the running sum).
 * BERT measures as GPT-2: its exact GELU and post-LN LayerNorms are the same single kernels.
 * The coefficients were fitted to tf.profile's measured peaks on the wasm backend
 * (bench/memory-estimate.ts prints the comparison; tests hold it within 25% on three sizes and at
 * SmolLM2-135M's real shape).
 */
export function trainingBytes(config: GptConfig, batch: number, context = config.contextLength, lora?: { rank: number; targets: number }, gradAccum = 1): number {
  const c = shapeOf(config);
  const weights = parameterCount(c) * 4;
  const learning = lora ? c.layers * lora.targets * lora.rank * 2 * c.width : parameterCount(c);
  const tokens = batch * context;
  // The Llama family on wasm (the backend this job computes on) runs RMSNorm, SwiGLU and RoPE as fused
  // kernels (llama-fused-ops.ts) that keep fewer activations (refitted on bench/memory-estimate.ts's sizes);
  // elsewhere, or before a backend is chosen (validation in the host), the plain ops' larger figure.
  const fusedLlama = deviceUsed()?.backend === 'wasm';
  const [perWidth, perMlp] = c.family === 'gpt2' || isEncoderFamily(c.family) ? [54, 5] : fusedLlama ? [60, 14] : [85, 20];
  const perLayer = perWidth * c.width + perMlp * c.intermediateSize + 5.5 * c.heads * context;
  const embeddingGradient = lora ? 0 : 2 * c.vocabSize * c.width * 4;
  const accumulated = gradAccum > 1 ? learning * 4 : 0;
  return weights + learning * 12 + embeddingGradient + accumulated + 4 * tokens * (c.layers * perLayer + 9 * c.vocabSize);
}
