import type { ModelConfig } from '../../sdk/index.ts';
import { shapeOf } from '../hf-config.ts';
import { deviceUsed } from '../device-state.ts';

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
 * Bytes training needs at its peak: the weights; the gradients and two Adam moments of what learns
 * (with LoRA only the adapters); and the tensors the backward pass keeps. tfjs keeps every
 * intermediate of a step until the step ends, so per token and layer it holds about 68
 * width-sized and 5 MLP-sized vectors for GPT-2 (whose GELU and LayerNorm are single kernels on
 * wasm, fused-ops.ts), 85 and 20 for the Llama family (RMSNorm, SwiGLU and RoPE still op by op),
 * 5.5 floats per head and position of the attention, and 9 per vocabulary entry of the logits.
 * The coefficients were fitted to tf.profile's measured peaks on the wasm backend
 * (bench/memory-estimate.ts prints the comparison; a test holds it within 25% on three sizes).
 */
export function trainingBytes(config: GptConfig, batch: number, context = config.contextLength, lora?: { rank: number; targets: number }): number {
  const c = shapeOf(config);
  const weights = parameterCount(c) * 4;
  const learning = lora ? c.layers * lora.targets * lora.rank * 2 * c.width : parameterCount(c);
  const tokens = batch * context;
  // The Llama family on wasm (the backend this job computes on) runs RMSNorm, SwiGLU and RoPE as fused
  // kernels (llama-fused-ops.ts) that keep fewer activations (refitted on bench/memory-estimate.ts's sizes);
  // elsewhere, or before a backend is chosen (validation in the host), the plain ops' larger figure.
  const fusedLlama = deviceUsed()?.backend === 'wasm';
  const [perWidth, perMlp] = c.family === 'gpt2' ? [68, 5] : fusedLlama ? [60, 14] : [85, 20];
  const perLayer = perWidth * c.width + perMlp * c.intermediateSize + 5.5 * c.heads * context;
  return weights + learning * 12 + 4 * tokens * (c.layers * perLayer + 9 * c.vocabSize);
}
