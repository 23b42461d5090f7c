/**
 * A model's real shape, read from the model a run produced (its config), in the terms of the Model
 * node's settings: what the inspector shows for a loaded model instead of the "new model" defaults,
 * and what Compare sets beside another run's.
 */
import type { ModelHandle } from './port-values.ts';

export interface LoadedModelShape {
  /** gpt2, llama, mistral, qwen2, qwen3; encoder for a bidirectional model. */
  architecture: string;
  layers: number;
  width: number;
  heads: number;
  kvHeads: number;
  mlpWidth: number;
  context: number;
  vocabulary: number;
  parameters: number;
  tiedEmbeddings: boolean;
  /** Rotary position base, for the Llama family. */
  ropeTheta?: number;
}

/** The shape of a produced model, or null when the value is not a model handle. */
export function loadedModelShape(value: unknown): LoadedModelShape | null {
  const h = value as Partial<ModelHandle> | null;
  const c = h?.config;
  if (h?.kind !== 'model' || !c || typeof c.layers !== 'number') return null;
  return {
    architecture: c.causal === false ? 'encoder' : (c.family ?? 'gpt2'),
    layers: c.layers,
    width: c.width,
    heads: c.heads,
    kvHeads: c.kvHeads ?? c.heads,
    mlpWidth: c.intermediateSize ?? 4 * c.width,
    context: c.contextLength,
    vocabulary: c.vocabSize,
    parameters: h.parameters ?? 0,
    tiedEmbeddings: c.tiedEmbeddings,
    ...(c.rope ? { ropeTheta: c.rope.theta } : {}),
  };
}

/** How each figure is named to people, in the inspector's order. */
export const MODEL_SHAPE_LABELS: Record<keyof LoadedModelShape, string> = {
  architecture: 'Architecture',
  parameters: 'Parameters',
  layers: 'Layers',
  width: 'Width',
  heads: 'Heads',
  kvHeads: 'Key/value heads',
  mlpWidth: 'MLP width',
  context: 'Context',
  vocabulary: 'Vocabulary',
  tiedEmbeddings: 'Tied embeddings',
  ropeTheta: 'RoPE base',
};
