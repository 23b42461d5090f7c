/**
 * The value each port type carries: one type per port type, so that `defineNode` can type a node's
 * inputs and outputs from its declared ports. Values are small JSON handles; anything big (a
 * dataset, a model) lives on disk in the producing node's artifact folder and the handle names it,
 * so values can cross process boundaries and be cached.
 */

/** A UTF-8 text file. */
export interface TextHandle {
  kind: 'text';
  path: string;
  chars: number;
}

export type SplitName = 'train' | 'validation' | 'test';

/**
 * How Dataset from files read a source: a chat layout (normalised to `{ messages: [{role, content}] }`
 * records), the mapped fields (text/prompt/response/label), or plain .txt text.
 */
export type DatasetLayout = 'messages' | 'sharegpt' | 'alpaca' | 'prompt-completion' | 'prompt-response' | 'fields' | 'text';

/** How each layout is named to people (inspector, logs). */
export const DATASET_LAYOUT_LABELS: Record<DatasetLayout, string> = {
  messages: 'chat messages (role/content)',
  sharegpt: 'ShareGPT conversations (from/value)',
  alpaca: 'Alpaca (instruction/input/output)',
  'prompt-completion': 'prompt/completion pairs',
  'prompt-response': 'prompt/response pairs',
  fields: 'mapped fields',
  text: 'plain text',
};

/** One turn of a chat record, as the chat layouts are normalised. */
export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * A piece of a rendered conversation: Chat format splits multi-turn records into these so fine-tuning
 * learns from every assistant turn (`learn`) and from nothing else.
 */
export interface ChatSegment {
  text: string;
  learn: boolean;
}

/** Records as JSON lines, one file per split. */
export interface DatasetHandle {
  kind: 'dataset';
  dir: string;
  fields: string[];
  splits: Partial<Record<SplitName, { path: string; rows: number }>>;
  /** Distinct labels, sorted, when records carry one. */
  labels?: string[];
  /** Set by Chat format: the template its prompts were rendered with. */
  chat?: { template: string; endOfText: string; system?: string };
  /** Set by Dataset from files: the layout of each source, in file order, without repeats. */
  layouts?: DatasetLayout[];
}

/** A tokenizer saved as tokenizer.json. */
export interface TokenizerHandle {
  kind: 'tokenizer';
  path: string;
  vocabSize: number;
  /** How it was made: byte-level, bpe (trained), or loaded. */
  type: string;
  specialTokens: Record<string, number>;
}

/** The decoder architectures Weft reads, trains and writes, by config.json's `model_type`. */
export const MODEL_FAMILIES = ['gpt2', 'llama', 'mistral', 'qwen2', 'qwen3'] as const;
/** The bidirectional (masked-LM) encoder architectures, by config.json's `model_type`. */
export const ENCODER_FAMILIES = ['bert', 'roberta'] as const;
export type DecoderFamily = (typeof MODEL_FAMILIES)[number];
export type EncoderFamily = (typeof ENCODER_FAMILIES)[number];
export type ModelFamily = DecoderFamily | EncoderFamily;

/** Rotary position embeddings: base and the long-context scalings the families use. */
export interface RopeSettings {
  theta: number;
  scaling?:
    | { type: 'linear'; factor: number }
    | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number };
}

/**
 * A model's shape, as stored in config.json (each family's own field names on disk). Fields after
 * `labels` describe the transformer variant; when absent they take GPT-2's values.
 */
export interface ModelConfig {
  vocabSize: number;
  contextLength: number;
  width: number;
  layers: number;
  heads: number;
  dropout: number;
  /** Causal decoder (GPT) or bidirectional encoder (masked LM, classification). */
  causal: boolean;
  /** Output head shares the token embedding matrix. */
  tiedEmbeddings: boolean;
  layerNormEps: number;
  /** Classes of a classification head, 0 for none. */
  numClasses: number;
  /** Id of the [MASK] token for masked-LM training, -1 if none. */
  maskTokenId: number;
  /** Names of the classes of a classification head, in id order. */
  labels?: string[];
  /** GPT-2 unless said otherwise. */
  family?: ModelFamily;
  /** Key/value heads (grouped-query attention); `heads` when absent. */
  kvHeads?: number;
  /** Width of each attention head; width / heads when absent. */
  headDim?: number;
  /** Hidden size of the MLP; 4 x width when absent. */
  intermediateSize?: number;
  /** The MLP's activation (GPT-2: gelu_new, relu, gelu…; the Llama family: silu in SwiGLU). */
  activation?: string;
  /** Rotary embeddings instead of learned positions (the Llama family). */
  rope?: RopeSettings;
  /** Biases on q, k and v (GPT-2 and Qwen2 have them). */
  qkvBias?: boolean;
  /** Bias on the attention output projection (GPT-2 has one; Llama's attention_bias). */
  attnOutputBias?: boolean;
  /** Biases in the MLP (GPT-2 has them; Llama's mlp_bias). */
  mlpBias?: boolean;
  /** RMSNorm of q and k per head before RoPE (Qwen3). */
  qkNorm?: boolean;
  bosTokenId?: number;
  eosTokenId?: number;
  padTokenId?: number;
  /** BERT and RoBERTa: rows of the token-type (segment) embedding; Weft feeds type 0. */
  typeVocabSize?: number;
  /** RoBERTa: positions start at padding_idx + 1, so position t reads row t + offset. */
  positionOffset?: number;
}

/** A model folder: config.json, model.safetensors, tokenizer.json. */
export interface ModelHandle {
  kind: 'model';
  dir: string;
  parameters: number;
  config: ModelConfig;
  /** Where the weights came from, for a model downloaded from the Hugging Face Hub: the commit is what replay pins. */
  source?: { hub: string; revision: string; commit: string };
  /** Set when the weights are a quantized GGUF file (Quantize's output): its block format, e.g. Q8_0. */
  quantization?: string;
}

export interface OptimizerSettings {
  kind: 'adamw' | 'adam' | 'sgd';
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled (AdamW) or L2 (Adam, SGD) weight decay, applied to weight matrices only. */
  weightDecay: number;
  /** SGD only. */
  momentum: number;
  /** Clip gradients to this global L2 norm; 0 turns clipping off. */
  clipNorm: number;
}

export interface OptimizerHandle {
  kind: 'optimizer';
  settings: OptimizerSettings;
}

export interface ScheduleSettings {
  kind: 'constant' | 'cosine' | 'linear' | 'step';
  lr: number;
  warmupSteps: number;
  /** Cosine/linear decay ends at this fraction of the peak. */
  minLrRatio: number;
  /** Step decay: steps between drops. */
  stepSize: number;
  /** Step decay: factor at each drop. */
  gamma: number;
}

export interface SchedulerHandle {
  kind: 'scheduler';
  settings: ScheduleSettings;
}

/** Preference pairs (prompt, chosen, rejected) as JSON lines. */
export interface PreferencesHandle {
  kind: 'preferences';
  dir: string;
  splits: Partial<Record<SplitName, { path: string; rows: number }>>;
}

/** Named numbers measured by a node, and optional tables as files in its artifact folder. */
export interface MetricsHandle {
  kind: 'metrics';
  values: Record<string, number>;
  /** Optional tables (e.g. top words, confusion matrix) as files in the artifact folder. */
  tables?: Record<string, string>;
}

/** A running local inference endpoint. */
export interface EndpointHandle {
  kind: 'endpoint';
  /** Base URL for OpenAI clients (ends in /v1). */
  url: string;
  /** The model name requests send. */
  model: string;
  /** Its id in the workspace's endpoints (`weft endpoints`), when Weft started it. */
  id?: string;
}

/** The one map from port type to the value its edges carry. */
export interface PortValues {
  Text: TextHandle;
  Dataset: DatasetHandle;
  Tokenizer: TokenizerHandle;
  Model: ModelHandle;
  Optimizer: OptimizerHandle;
  Scheduler: SchedulerHandle;
  Preferences: PreferencesHandle;
  Metrics: MetricsHandle;
  Endpoint: EndpointHandle;
}

/** The `kind` field each port type's value carries: how a worker checks what arrived on an edge. */
export const PORT_VALUE_KINDS = {
  Text: 'text',
  Dataset: 'dataset',
  Tokenizer: 'tokenizer',
  Model: 'model',
  Optimizer: 'optimizer',
  Scheduler: 'scheduler',
  Preferences: 'preferences',
  Metrics: 'metrics',
  Endpoint: 'endpoint',
} as const satisfies { [T in keyof PortValues]: PortValues[T]['kind'] };
