import type { ModelConfig } from '../../sdk/index.ts';

/** Model configuration, stored as a Hugging Face config.json (GPT-2 field names); the contract's ModelConfig. */
export type GptConfig = ModelConfig;

export function toHfConfig(c: GptConfig): Record<string, unknown> {
  return {
    architectures: [c.numClasses ? 'GPT2ForSequenceClassification' : c.causal ? 'GPT2LMHeadModel' : 'WeftEncoderForMaskedLM'],
    model_type: c.causal ? 'gpt2' : 'weft-encoder',
    vocab_size: c.vocabSize,
    n_positions: c.contextLength,
    n_ctx: c.contextLength,
    n_embd: c.width,
    n_layer: c.layers,
    n_head: c.heads,
    n_inner: null,
    activation_function: 'gelu_new',
    resid_pdrop: c.dropout,
    embd_pdrop: c.dropout,
    attn_pdrop: c.dropout,
    layer_norm_epsilon: c.layerNormEps,
    tie_word_embeddings: c.tiedEmbeddings,
    num_labels: c.numClasses || undefined,
    id2label: c.labels ? Object.fromEntries(c.labels.map((l, i) => [String(i), l])) : undefined,
    label2id: c.labels ? Object.fromEntries(c.labels.map((l, i) => [l, i])) : undefined,
    weft: { causal: c.causal, mask_token_id: c.maskTokenId, num_classes: c.numClasses },
  };
}

export function fromHfConfig(raw: Record<string, unknown>, file: string): GptConfig {
  const num = (k: string, fallback?: number): number => {
    const v = raw[k] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${file}: "${k}" must be a number`);
    return v;
  };
  const weft = (raw.weft ?? {}) as { causal?: boolean; mask_token_id?: number; num_classes?: number };
  if (raw.model_type !== 'gpt2' && raw.model_type !== 'weft-encoder') {
    throw new Error(`${file}: model_type "${String(raw.model_type)}" is not supported (gpt2 or weft-encoder)`);
  }
  if (raw.n_inner != null && raw.n_inner !== 4 * num('n_embd')) throw new Error(`${file}: n_inner other than 4 x n_embd is not supported`);
  const config: GptConfig = {
    vocabSize: num('vocab_size'),
    contextLength: num('n_positions'),
    width: num('n_embd'),
    layers: num('n_layer'),
    heads: num('n_head'),
    dropout: num('resid_pdrop', 0),
    causal: weft.causal ?? raw.model_type === 'gpt2',
    tiedEmbeddings: raw.tie_word_embeddings !== false,
    layerNormEps: num('layer_norm_epsilon', 1e-5),
    numClasses: weft.num_classes ?? 0,
    maskTokenId: weft.mask_token_id ?? -1,
  };
  const id2label = raw.id2label as Record<string, string> | undefined;
  if (config.numClasses && id2label) config.labels = Array.from({ length: config.numClasses }, (_, i) => id2label[String(i)] ?? String(i));
  if (config.width % config.heads !== 0) throw new Error(`${file}: n_embd (${config.width}) must be divisible by n_head (${config.heads})`);
  return config;
}

/** Trainable parameters, as GPT-2 counts them (tied head counted once). */
export function parameterCount(c: GptConfig): number {
  const d = c.width;
  const perLayer = 2 * 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * 4 * d + 4 * d) + (4 * d * d + d);
  const head = c.tiedEmbeddings ? 0 : c.vocabSize * d;
  const cls = c.numClasses ? d * c.numClasses + c.numClasses : 0;
  return c.vocabSize * d + c.contextLength * d + c.layers * perLayer + 2 * d + head + cls;
}

/**
 * Bytes training needs: weights, gradients and two Adam moments, plus activations kept for
 * backprop. tfjs keeps every intermediate of the unfused LayerNorm/GELU/softmax chains, about 3x
 * what PyTorch keeps, so the activation factor is generous.
 */
export function trainingBytes(c: GptConfig, batch: number, context = c.contextLength): number {
  const params = parameterCount(c) * 4 * 4;
  const n = batch * context;
  const perLayer = n * c.width * 40 + batch * c.heads * context * context * 4;
  const logits = n * c.vocabSize * 4;
  return params + 4 * (c.layers * perLayer + logits);
}
