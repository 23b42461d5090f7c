import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The GGUF weights file of a model folder, when it holds one instead of safetensors. */
export function ggufWeightsOf(dir: string): string | null {
  if (existsSync(join(dir, 'model.safetensors')) || existsSync(join(dir, 'model.safetensors.index.json'))) return null;
  if (existsSync(join(dir, 'model.gguf'))) return join(dir, 'model.gguf');
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.gguf'));
  } catch {
    return null;
  }
  return files.length === 1 ? join(dir, files[0]!) : null;
}
