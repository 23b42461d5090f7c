/**
 * Which special token a tokenizer puts first, read the way transformers reads it. Light (JSON only):
 * the tokenizer, GGUF export and validation share it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The parts of tokenizer.json this needs. */
export interface TokenizerFile {
  added_tokens?: Array<{ id: number; content: string; special?: boolean }>;
  model?: { byte_fallback?: boolean };
  post_processor?: { type?: string; single?: Array<{ SpecialToken?: { id: string } }> } | null;
}

/** A token named in tokenizer_config.json: a string or an AddedToken object ({content}). */
export function tokenText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return null;
}

/** tokenizer_config.json beside a tokenizer.json, or {} when there is none. */
export function tokenizerConfigOf(tokenizerPath: string): Record<string, unknown> {
  const file = join(dirname(tokenizerPath), 'tokenizer_config.json');
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/**
 * The beginning-of-sequence token and whether a prompt starts with it, as transformers decides:
 * tokenizer_config.json's add_bos_token and bos_token when it says, else the tokenizer.json's
 * post-processor (Llama 2's TemplateProcessing writes "<s> $A").
 */
export function bosOf(path: string, json: TokenizerFile, idOf: (text: string) => number | null): { bos: { id: number; text: string } | null; addBos: boolean } {
  const config = tokenizerConfigOf(path);
  const first = json.post_processor?.type === 'TemplateProcessing' ? json.post_processor.single?.[0]?.SpecialToken?.id : undefined;
  const text = tokenText(config.bos_token) ?? first ?? null;
  const id = text === null ? null : idOf(text);
  const bos = text !== null && id !== null ? { id, text } : null;
  const addBos = typeof config.add_bos_token === 'boolean' ? config.add_bos_token : first !== undefined && first === text;
  if (addBos && !bos) throw new Error(`${join(dirname(path), 'tokenizer_config.json')}: add_bos_token is true but bos_token ${JSON.stringify(config.bos_token ?? null)} is not a token of ${path}`);
  return { bos, addBos };
}
