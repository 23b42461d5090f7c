/** What every node that takes a Model input does first: pick the backend, load the weights and the tokenizer. */
import { join } from 'node:path';
import { useBestBackend, type BackendName } from './backend.ts';
import type { GptConfig } from './gpt/config.ts';
import { loadModelFolder } from './gpt/io.ts';
import type { ModelHandle } from '../sdk/index.ts';
import { disposeParams, type Params } from './gpt/model.ts';
import { TextTokenizer } from './tokenizer.ts';
import { ggufWeightsOf, loadGguf } from './gguf/load.ts';

export interface OpenedModel {
  backend: BackendName;
  dir: string;
  config: GptConfig;
  params: Params;
  tok: TextTokenizer;
  tokenizerPath: string;
  /** The weights' storage type when they came from a GGUF file (dequantized to float32 to run). */
  quantization?: string;
  /** Frees the weights; call in a finally, since workers are reused. */
  dispose(): void;
}

/** Weights from model.safetensors (or shards), or from a GGUF file when the folder holds one instead (quantize's output). */
async function loadWeights(dir: string): Promise<{ config: GptConfig; params: Params; quantization?: string }> {
  const gguf = ggufWeightsOf(dir);
  if (!gguf) return loadModelFolder(dir);
  const { config, params, quantization } = await loadGguf(gguf, dir);
  return { config, params, quantization };
}

export async function openModelInput({ dir }: Pick<ModelHandle, 'dir'>): Promise<OpenedModel> {
  const backend = await useBestBackend();
  const { config, params, quantization } = await loadWeights(dir);
  const tokenizerPath = join(dir, 'tokenizer.json');
  try {
    return { backend, dir, config, params, tok: TextTokenizer.fromFile(tokenizerPath), tokenizerPath, ...(quantization ? { quantization } : {}), dispose: () => disposeParams(params) };
  } catch (err) {
    disposeParams(params);
    throw err;
  }
}
