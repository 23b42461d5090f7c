/** The playground: talk to, or complete text with, any model a run produced. */
import type { DeviceInfo, DevicePreference } from './device.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export type PlaygroundMode = 'complete' | 'chat' | 'classify' | 'fill-mask';

/** What a classifier or a masked-LM encoder predicted (they answer at once; nothing streams). */
export interface Prediction {
  /** classify: every label with its probability, most likely first. */
  labels?: Array<{ label: string; probability: number }>;
  /** fill-mask: per <mask>, the likeliest tokens. */
  masks?: Array<{ candidates: Array<{ token: string; probability: number }> }>;
}

export interface SamplingSettings {
  maxTokens: number;
  /** 0 picks the most likely token every time. */
  temperature: number;
  /** 0 turns top-k off. */
  topK: number;
  /** 1 turns nucleus sampling off. */
  topP: number;
  seed: number;
  /** Generation stops before any of these strings. */
  stop?: string[];
}

export interface GenerationRequest {
  /** The model: a node of a run whose output is a model. */
  runId: string;
  nodeId: string;
  /** complete/chat: decoders; classify: models with a classification head; fill-mask: masked-LM encoders. */
  mode: PlaygroundMode;
  /** complete: the text to continue; classify: the text to label; fill-mask: text with <mask> where tokens are missing. */
  prompt?: string;
  /** chat: the conversation so far, ending with the user's turn. */
  messages?: ChatMessage[];
  settings: SamplingSettings;
  /** Which device answers: Auto (the best rung, a real GPU first), GPU (fails when there is none) or CPU; default Auto. */
  device?: DevicePreference;
}

export type GenerationEndReason = 'stop' | 'length' | 'context' | 'cancelled' | 'error';

export interface GenerationStats {
  reason: GenerationEndReason;
  promptTokens: number;
  /** Prompt tokens dropped from the front because the context window is full. */
  promptTokensDropped: number;
  tokens: number;
  tokensPerSecond: number;
  /** From the request to the first token, including loading the model. */
  firstTokenMs: number;
  backend?: string;
  /** The device that answered (backend and GPU adapter), as the run record keeps it for nodes. */
  device?: DeviceInfo;
  /**
   * The text the model was given (chat: the conversation in its template), its last 4,000 characters:
   * without the start that did not fit the context (promptTextDropped).
   */
  promptText?: string;
  /** The start of the prompt left out because it did not fit the context (its last 4,000 characters). */
  promptTextDropped?: string;
  /** classify and fill-mask. */
  prediction?: Prediction;
}

/** A model a run produced, as the playground lists it. */
export interface ModelInfo {
  runId: string;
  nodeId: string;
  /** The node's label, else its type's label. */
  label: string;
  nodeType: string;
  graphName: string;
  createdAt: string;
  parameters: number;
  contextLength?: number;
  vocabSize?: number;
  causal: boolean;
  /** Fine-tuned for chat: its folder declares a chat template. */
  chat: boolean;
  /** A classifier: generation is not what it does. */
  classifier: boolean;
  /** A fresh initialisation (a Model node making a new model): random weights, never trained. */
  untrained?: boolean;
  dir: string;
}
