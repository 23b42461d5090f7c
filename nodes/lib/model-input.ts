/** What every node that takes a Model input does first: pick the backend, load the weights and the tokenizer. */
import { join } from 'node:path';
import { useBestBackend, type BackendName } from './backend.ts';
import type { GptConfig } from './gpt/config.ts';
import { loadModelFolder } from './gpt/io.ts';
import type { ModelHandle } from '../sdk/index.ts';
import { disposeParams, type Params } from './gpt/model.ts';
import { TextTokenizer } from './tokenizer.ts';

export interface OpenedModel {
  backend: BackendName;
  dir: string;
  config: GptConfig;
  params: Params;
  tok: TextTokenizer;
  tokenizerPath: string;
  /** Frees the weights; call in a finally, since workers are reused. */
  dispose(): void;
}

export async function openModelInput({ dir }: Pick<ModelHandle, 'dir'>): Promise<OpenedModel> {
  const backend = await useBestBackend();
  const { config, params } = loadModelFolder(dir);
  const tokenizerPath = join(dir, 'tokenizer.json');
  try {
    return { backend, dir, config, params, tok: TextTokenizer.fromFile(tokenizerPath), tokenizerPath, dispose: () => disposeParams(params) };
  } catch (err) {
    disposeParams(params);
    throw err;
  }
}
