/**
 * The special tokens of a masked-LM encoder's folder: which id is the mask (read from a folder made
 * elsewhere, whose config.json does not say), and tokenizer_config.json naming the mask and padding
 * tokens so that transformers' AutoTokenizer and fill-mask pipeline find them in what Weft writes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelConfig } from '../../sdk/index.ts';

interface TokenizerJson {
  added_tokens?: Array<{ id: number; content: string }>;
  model?: { vocab?: Record<string, number> | Array<[string, number]> };
}

function readJsonIfThere(file: string): Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** tokenizer_config.json writes a token as a string or as {content: ...}. */
const tokenText = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string' ? (v as { content: string }).content : undefined;

function idOf(tok: TokenizerJson, text: string): number | undefined {
  const added = tok.added_tokens?.find((a) => a.content === text);
  if (added) return added.id;
  const vocab = tok.model?.vocab;
  if (vocab && !Array.isArray(vocab) && typeof vocab[text] === 'number') return vocab[text];
  return undefined;
}

function textOf(tok: TokenizerJson, id: number): string | undefined {
  const added = tok.added_tokens?.find((a) => a.id === id);
  if (added) return added.content;
  const vocab = tok.model?.vocab;
  if (vocab && !Array.isArray(vocab)) return Object.entries(vocab).find(([, v]) => v === id)?.[0];
  return undefined;
}

/** The mask token's id: tokenizer_config.json's mask_token, else [MASK] or <mask> in tokenizer.json. */
export function maskTokenOf(dir: string): number | undefined {
  const tok = readJsonIfThere(join(dir, 'tokenizer.json')) as TokenizerJson | undefined;
  if (!tok) return undefined;
  const named = tokenText(readJsonIfThere(join(dir, 'tokenizer_config.json'))?.mask_token);
  for (const text of [named, '[MASK]', '<mask>']) {
    const id = text === undefined ? undefined : idOf(tok, text);
    if (id !== undefined) return id;
  }
  return undefined;
}

/**
 * Adds the mask and padding tokens (and the context length) to the folder's tokenizer_config.json,
 * keeping whatever else it holds (a chat template, other special tokens).
 */
export function writeEncoderTokenizerConfig(dir: string, c: ModelConfig): void {
  const tok = readJsonIfThere(join(dir, 'tokenizer.json')) as TokenizerJson | undefined;
  if (!tok) return;
  const file = join(dir, 'tokenizer_config.json');
  const current = readJsonIfThere(file) ?? {};
  const named = (id: number | undefined) => (id !== undefined && id >= 0 ? textOf(tok, id) : undefined);
  const mask = named(c.maskTokenId);
  const pad = named(c.padTokenId);
  const next: Record<string, unknown> = {
    // The fast tokenizer of tokenizer.json as it is: no BERT word-piece pipeline rebuilt around it.
    tokenizer_class: 'PreTrainedTokenizerFast',
    model_max_length: c.contextLength,
    ...current,
    ...(mask ? { mask_token: mask } : {}),
    ...(pad ? { pad_token: pad } : {}),
  };
  writeFileSync(file, JSON.stringify(next, null, 2) + '\n');
}
