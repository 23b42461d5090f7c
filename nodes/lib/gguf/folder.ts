/** Model folders whose weights are a GGUF file: what they hold beside it, and how big their weights are. */
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toHfConfig } from '../hf-config.ts';
import type { ModelConfig } from '../../sdk/index.ts';

/** Tokenizer files a model folder carries, copied along. */
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json'];

/** Writes config.json and copies the tokenizer files of `from` into `to`. */
export function writeCompanions(from: string, to: string, config: ModelConfig): void {
  writeFileSync(join(to, 'config.json'), JSON.stringify(toHfConfig(config), null, 2) + '\n');
  for (const name of TOKENIZER_FILES) if (existsSync(join(from, name)) && from !== to) copyFileSync(join(from, name), join(to, name));
}

/** Bytes of a folder's weight files: model.safetensors, its shards, or a GGUF file. */
export function weightBytes(dir: string): number {
  const index = join(dir, 'model.safetensors.index.json');
  if (existsSync(index)) {
    const map = (JSON.parse(readFileSync(index, 'utf8')) as { weight_map?: Record<string, string> }).weight_map ?? {};
    return [...new Set(Object.values(map))].reduce((s, f) => s + statSync(join(dir, f)).size, 0);
  }
  if (existsSync(join(dir, 'model.safetensors'))) return statSync(join(dir, 'model.safetensors')).size;
  if (existsSync(join(dir, 'model.gguf'))) return statSync(join(dir, 'model.gguf')).size;
  return 0;
}
