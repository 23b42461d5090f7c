/**
 * config.json in each family's own field names, to and from the contract's ModelConfig. Pure and
 * light (no tfjs): the model node's spec uses it to refuse an unsupported folder at validation time.
 * Both config styles on the Hub are read: transformers 4's `rope_theta` + `rope_scaling` and 5's
 * `rope_parameters`; Weft writes the first, which every tool reads.
 */
import { ENCODER_FAMILIES, MODEL_FAMILIES, type DecoderFamily, type EncoderFamily, type ModelConfig, type ModelFamily, type RopeSettings } from '../sdk/index.ts';

/** The on-disk layout Weft writes; 1 (absent) stored untied heads as [width, vocab] and classifier heads as [width, classes] + bias. */
export const WEFT_LAYOUT = 2;

/** GPT-2 MLP activations Weft computes, by config.json's `activation_function`. */
export const GPT2_ACTIVATIONS = ['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast', 'gelu', 'relu', 'silu', 'swish'] as const;
const ROPE_TYPES = ['default', 'linear', 'llama3'];

/** A config.json field Weft cannot honour, named so the user can see where and what. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    message: string,
  ) {
    super(`${file}: ${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Every variant field filled: GPT-2's values where a config leaves them out. */
export type ModelShape = Required<Pick<ModelConfig, 'family' | 'kvHeads' | 'headDim' | 'intermediateSize' | 'activation' | 'qkvBias' | 'attnOutputBias' | 'mlpBias' | 'qkNorm'>> &
  ModelConfig;

export function shapeOf(c: ModelConfig): ModelShape {
  const family = c.family ?? 'gpt2';
  const encoder = isEncoderFamily(family);
  // BERT's dense layers all have biases, as GPT-2's do.
  const biased = family === 'gpt2' || encoder;
  return {
    ...c,
    family,
    kvHeads: c.kvHeads ?? c.heads,
    headDim: c.headDim ?? c.width / c.heads,
    intermediateSize: c.intermediateSize ?? 4 * c.width,
    activation: c.activation ?? (family === 'gpt2' ? 'gelu_new' : encoder ? 'gelu' : 'silu'),
    qkvBias: c.qkvBias ?? biased,
    attnOutputBias: c.attnOutputBias ?? biased,
    mlpBias: c.mlpBias ?? biased,
    qkNorm: c.qkNorm ?? false,
  };
}

export const isLlamaFamily = (family: ModelFamily | undefined): boolean => family !== undefined && family !== 'gpt2' && !isEncoderFamily(family);

/** BERT and RoBERTa: post-LN bidirectional encoders with a masked-LM head. */
export const isEncoderFamily = (family: ModelFamily | undefined): family is EncoderFamily => (ENCODER_FAMILIES as readonly string[]).includes(family ?? '');

/** BERT activations Weft computes, by config.json's `hidden_act` (gelu is the exact, erf one). */
export const BERT_ACTIVATIONS = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'gelu_fast', 'relu', 'silu', 'swish'] as const;

function reader(raw: Record<string, unknown>, file: string) {
  const num = (k: string, fallback?: number): number => {
    const v = raw[k] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(file, k, v === undefined ? 'is missing' : `must be a number, not ${JSON.stringify(v)}`);
    return v;
  };
  const int = (k: string, fallback?: number): number => {
    const v = num(k, fallback);
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(file, k, `must be a whole number of at least 1, not ${v}`);
    return v;
  };
  const bool = (k: string, fallback: boolean): boolean => {
    const v = raw[k] ?? fallback;
    if (typeof v !== 'boolean') throw new ConfigError(file, k, `must be true or false, not ${JSON.stringify(v)}`);
    return v;
  };
  /** A token id, or the first of a list (generation may stop at any; the config keeps one). */
  const tokenId = (k: string): number | undefined => {
    const v = raw[k];
    const id = Array.isArray(v) ? v[0] : v;
    return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : undefined;
  };
  return { num, int, bool, tokenId };
}

function ropeOf(raw: Record<string, unknown>, file: string, defaultTheta: number): RopeSettings {
  // transformers 5 keeps everything in rope_parameters; 4 had rope_theta beside rope_scaling.
  const params = (raw.rope_parameters ?? null) as Record<string, unknown> | null;
  const scaling = (params ?? raw.rope_scaling ?? null) as Record<string, unknown> | null;
  const field = params ? 'rope_parameters' : 'rope_scaling';
  const theta = (params?.rope_theta ?? raw.rope_theta ?? defaultTheta) as unknown;
  if (typeof theta !== 'number' || !(theta > 0)) throw new ConfigError(file, params ? 'rope_parameters.rope_theta' : 'rope_theta', `must be a positive number, not ${JSON.stringify(theta)}`);
  if (!scaling) return { theta };
  const type = String(scaling.rope_type ?? scaling.type ?? 'default');
  if (!ROPE_TYPES.includes(type)) throw new ConfigError(file, `${field}.rope_type`, `"${type}" is not supported; Weft computes ${ROPE_TYPES.join(', ')}`);
  const n = (k: string): number => {
    const v = scaling[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new ConfigError(file, `${field}.${k}`, `must be a positive number, not ${JSON.stringify(v)}`);
    return v;
  };
  if (type === 'default') return { theta };
  if (type === 'linear') return { theta, scaling: { type, factor: n('factor') } };
  return {
    theta,
    scaling: { type: 'llama3', factor: n('factor'), lowFreqFactor: n('low_freq_factor'), highFreqFactor: n('high_freq_factor'), originalMaxPositions: n('original_max_position_embeddings') },
  };
}

function headOf(raw: Record<string, unknown>, file: string): { numClasses: number; labels?: string[] } {
  const archs = Array.isArray(raw.architectures) ? raw.architectures.map(String) : [];
  const weft = (raw.weft ?? {}) as { num_classes?: number };
  const classifier = archs.some((a) => a.endsWith('ForSequenceClassification'));
  const numClasses = weft.num_classes ?? (classifier ? reader(raw, file).int('num_labels', Object.keys((raw.id2label ?? {}) as object).length || 2) : 0);
  const id2label = raw.id2label as Record<string, string> | undefined;
  const labels = numClasses && id2label ? Array.from({ length: numClasses }, (_, i) => id2label[String(i)] ?? String(i)) : undefined;
  return { numClasses, ...(labels ? { labels } : {}) };
}

function fromGpt2(raw: Record<string, unknown>, file: string): ModelConfig {
  const { num, int, bool, tokenId } = reader(raw, file);
  const weft = (raw.weft ?? {}) as { causal?: boolean; mask_token_id?: number };
  const width = int('n_embd');
  const activation = String(raw.activation_function ?? 'gelu_new');
  if (!(GPT2_ACTIVATIONS as readonly string[]).includes(activation)) {
    throw new ConfigError(file, 'activation_function', `"${activation}" is not supported; Weft computes ${GPT2_ACTIVATIONS.join(', ')}`);
  }
  if (raw.scale_attn_by_inverse_layer_idx === true) throw new ConfigError(file, 'scale_attn_by_inverse_layer_idx', 'true is not supported (false only)');
  if (raw.scale_attn_weights === false) throw new ConfigError(file, 'scale_attn_weights', 'false is not supported (true only)');
  return {
    family: 'gpt2',
    vocabSize: int('vocab_size'),
    contextLength: int('n_positions'),
    width,
    layers: int('n_layer'),
    heads: int('n_head'),
    intermediateSize: raw.n_inner == null ? 4 * width : int('n_inner'),
    activation,
    dropout: num('resid_pdrop', 0),
    causal: weft.causal ?? raw.model_type === 'gpt2',
    tiedEmbeddings: bool('tie_word_embeddings', true),
    layerNormEps: num('layer_norm_epsilon', 1e-5),
    maskTokenId: weft.mask_token_id ?? -1,
    ...headOf(raw, file),
    ...ids(tokenId),
  };
}

function ids(tokenId: (k: string) => number | undefined): Pick<ModelConfig, 'bosTokenId' | 'eosTokenId' | 'padTokenId'> {
  const out: Pick<ModelConfig, 'bosTokenId' | 'eosTokenId' | 'padTokenId'> = {};
  const bos = tokenId('bos_token_id');
  const eos = tokenId('eos_token_id');
  const pad = tokenId('pad_token_id');
  if (bos !== undefined) out.bosTokenId = bos;
  if (eos !== undefined) out.eosTokenId = eos;
  if (pad !== undefined) out.padTokenId = pad;
  return out;
}

function fromLlamaFamily(raw: Record<string, unknown>, file: string, family: Exclude<DecoderFamily, 'gpt2'>): ModelConfig {
  const { num, int, bool, tokenId } = reader(raw, file);
  const width = int('hidden_size');
  const heads = int('num_attention_heads');
  const kvHeads = int('num_key_value_heads', heads);
  if (heads % kvHeads !== 0) throw new ConfigError(file, 'num_key_value_heads', `${kvHeads} must divide num_attention_heads (${heads})`);
  const act = String(raw.hidden_act ?? 'silu');
  if (act !== 'silu') throw new ConfigError(file, 'hidden_act', `"${act}" is not supported; Weft computes silu`);
  let contextLength = int('max_position_embeddings');
  // Attention inside a sliding window equals full attention for sequences no longer than it.
  const window = raw.sliding_window;
  const windowed = family === 'mistral' ? window != null : raw.use_sliding_window === true;
  if (windowed && typeof window === 'number' && window > 0) contextLength = Math.min(contextLength, window);
  const attentionBias = bool('attention_bias', false);
  return {
    family,
    vocabSize: int('vocab_size'),
    contextLength,
    width,
    layers: int('num_hidden_layers'),
    heads,
    kvHeads,
    headDim: raw.head_dim == null ? width / heads : int('head_dim'),
    intermediateSize: int('intermediate_size'),
    activation: 'silu',
    rope: ropeOf(raw, file, 10000),
    qkvBias: family === 'qwen2' ? true : attentionBias,
    attnOutputBias: family === 'qwen2' ? false : attentionBias,
    mlpBias: family === 'llama' ? bool('mlp_bias', false) : false,
    qkNorm: family === 'qwen3',
    dropout: num('attention_dropout', 0),
    causal: true,
    tiedEmbeddings: bool('tie_word_embeddings', false),
    layerNormEps: num('rms_norm_eps', 1e-6),
    maskTokenId: -1,
    ...headOf(raw, file),
    ...ids(tokenId),
  };
}

/**
 * BERT and RoBERTa (post-LN encoders, absolute learned positions, token types). RoBERTa's positions
 * start after padding_idx, so it reads max_position_embeddings - (pad + 1) tokens at most.
 */
function fromEncoder(raw: Record<string, unknown>, file: string, family: EncoderFamily): ModelConfig {
  const { num, int, bool, tokenId } = reader(raw, file);
  const width = int('hidden_size');
  const heads = int('num_attention_heads');
  if (width % heads !== 0) throw new ConfigError(file, 'hidden_size', `${width} must be divisible by num_attention_heads (${heads})`);
  const act = String(raw.hidden_act ?? 'gelu');
  if (!(BERT_ACTIVATIONS as readonly string[]).includes(act)) throw new ConfigError(file, 'hidden_act', `"${act}" is not supported; Weft computes ${BERT_ACTIVATIONS.join(', ')}`);
  const positionType = raw.position_embedding_type ?? 'absolute';
  if (positionType !== 'absolute') throw new ConfigError(file, 'position_embedding_type', `"${String(positionType)}" is not supported (absolute only)`);
  if (raw.is_decoder === true) throw new ConfigError(file, 'is_decoder', 'true is not supported: Weft runs BERT as a bidirectional encoder');
  if (raw.add_cross_attention === true) throw new ConfigError(file, 'add_cross_attention', 'true is not supported (no encoder-decoder models)');
  const weft = (raw.weft ?? {}) as { mask_token_id?: number };
  const pad = tokenId('pad_token_id');
  const positions = int('max_position_embeddings');
  const positionOffset = family === 'roberta' ? (pad ?? 1) + 1 : 0;
  if (positions <= positionOffset) throw new ConfigError(file, 'max_position_embeddings', `${positions} leaves no position after padding_idx ${positionOffset - 1}`);
  return {
    family,
    vocabSize: int('vocab_size'),
    contextLength: positions - positionOffset,
    width,
    layers: int('num_hidden_layers'),
    heads,
    intermediateSize: int('intermediate_size'),
    activation: act,
    dropout: num('hidden_dropout_prob', 0.1),
    causal: false,
    tiedEmbeddings: bool('tie_word_embeddings', true),
    layerNormEps: num('layer_norm_eps', 1e-12),
    maskTokenId: weft.mask_token_id ?? -1,
    typeVocabSize: int('type_vocab_size', 2),
    ...(positionOffset ? { positionOffset } : {}),
    ...headOf(raw, file),
    ...ids(tokenId),
  };
}

/** Reads config.json's object; every problem names the file and the field. */
export function fromHfConfig(raw: Record<string, unknown>, file: string): ModelConfig {
  const type = raw.model_type;
  let config: ModelConfig;
  if (type === 'gpt2' || type === 'weft-encoder') config = fromGpt2(raw, file);
  else if (typeof type === 'string' && (MODEL_FAMILIES as readonly string[]).includes(type)) config = fromLlamaFamily(raw, file, type as Exclude<DecoderFamily, 'gpt2'>);
  else if (typeof type === 'string' && (ENCODER_FAMILIES as readonly string[]).includes(type)) config = fromEncoder(raw, file, type as EncoderFamily);
  else throw new ConfigError(file, 'model_type', `"${String(type)}" is not supported; Weft reads ${[...MODEL_FAMILIES, ...ENCODER_FAMILIES].join(', ')}`);
  const shape = shapeOf(config);
  if (shape.family === 'gpt2' && config.width % config.heads !== 0) throw new ConfigError(file, 'n_embd', `${config.width} must be divisible by n_head (${config.heads})`);
  if (shape.headDim % 2 !== 0 && config.rope) throw new ConfigError(file, 'head_dim', `${shape.headDim} must be even for rotary embeddings`);
  return config;
}

const ARCH: Record<ModelFamily, string> = { gpt2: 'GPT2', llama: 'Llama', mistral: 'Mistral', qwen2: 'Qwen2', qwen3: 'Qwen3', bert: 'Bert', roberta: 'Roberta' };

function labelsConfig(c: ModelConfig): Record<string, unknown> {
  if (!c.numClasses) return {};
  const labels = c.labels ?? Array.from({ length: c.numClasses }, (_, i) => `LABEL_${i}`);
  return { num_labels: c.numClasses, id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])), label2id: Object.fromEntries(labels.map((l, i) => [l, i])) };
}

function tokenIds(c: ModelConfig): Record<string, unknown> {
  return { bos_token_id: c.bosTokenId ?? null, eos_token_id: c.eosTokenId ?? null, pad_token_id: c.padTokenId ?? null };
}

/** config.json for a model, in its family's field names, so transformers (and llama.cpp's converter) read it. */
export function toHfConfig(config: ModelConfig): Record<string, unknown> {
  const c = shapeOf(config);
  const weft = { causal: c.causal, mask_token_id: c.maskTokenId, num_classes: c.numClasses, layout: WEFT_LAYOUT };
  if (isEncoderFamily(c.family)) {
    return {
      architectures: [`${ARCH[c.family]}For${c.numClasses ? 'SequenceClassification' : 'MaskedLM'}`],
      model_type: c.family,
      vocab_size: c.vocabSize,
      hidden_size: c.width,
      num_hidden_layers: c.layers,
      num_attention_heads: c.heads,
      intermediate_size: c.intermediateSize,
      hidden_act: c.activation,
      hidden_dropout_prob: c.dropout,
      attention_probs_dropout_prob: c.dropout,
      max_position_embeddings: c.contextLength + (c.positionOffset ?? 0),
      type_vocab_size: c.typeVocabSize ?? 2,
      layer_norm_eps: c.layerNormEps,
      tie_word_embeddings: c.tiedEmbeddings,
      ...tokenIds(c),
      ...labelsConfig(c),
      weft,
    };
  }
  if (c.family === 'gpt2') {
    return {
      architectures: [c.numClasses ? 'GPT2ForSequenceClassification' : c.causal ? 'GPT2LMHeadModel' : 'WeftEncoderForMaskedLM'],
      model_type: c.causal ? 'gpt2' : 'weft-encoder',
      vocab_size: c.vocabSize,
      n_positions: c.contextLength,
      n_ctx: c.contextLength,
      n_embd: c.width,
      n_layer: c.layers,
      n_head: c.heads,
      n_inner: c.intermediateSize === 4 * c.width ? null : c.intermediateSize,
      activation_function: c.activation,
      resid_pdrop: c.dropout,
      embd_pdrop: c.dropout,
      attn_pdrop: c.dropout,
      layer_norm_epsilon: c.layerNormEps,
      tie_word_embeddings: c.tiedEmbeddings,
      ...tokenIds(c),
      ...labelsConfig(c),
      weft,
    };
  }
  const rope = c.rope ?? { theta: 10000 };
  const scaling = rope.scaling
    ? rope.scaling.type === 'linear'
      ? { rope_type: 'linear', factor: rope.scaling.factor }
      : {
          rope_type: 'llama3',
          factor: rope.scaling.factor,
          low_freq_factor: rope.scaling.lowFreqFactor,
          high_freq_factor: rope.scaling.highFreqFactor,
          original_max_position_embeddings: rope.scaling.originalMaxPositions,
        }
    : null;
  return {
    architectures: [`${ARCH[c.family]}For${c.numClasses ? 'SequenceClassification' : 'CausalLM'}`],
    model_type: c.family,
    vocab_size: c.vocabSize,
    hidden_size: c.width,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.layers,
    num_attention_heads: c.heads,
    num_key_value_heads: c.kvHeads,
    head_dim: c.headDim,
    hidden_act: 'silu',
    max_position_embeddings: c.contextLength,
    rms_norm_eps: c.layerNormEps,
    tie_word_embeddings: c.tiedEmbeddings,
    rope_theta: rope.theta,
    rope_scaling: scaling,
    attention_dropout: c.dropout,
    ...(c.family === 'qwen2' ? {} : { attention_bias: c.qkvBias }),
    ...(c.family === 'llama' ? { mlp_bias: c.mlpBias } : {}),
    ...(c.family === 'mistral' ? { sliding_window: null } : {}),
    ...(c.family === 'qwen2' || c.family === 'qwen3' ? { use_sliding_window: false } : {}),
    ...tokenIds(c),
    ...labelsConfig(c),
    weft,
  };
}
