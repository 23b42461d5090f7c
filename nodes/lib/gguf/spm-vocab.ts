/**
 * SentencePiece-style BPE with byte fallback (Llama 2, TinyLlama, Mistral v0.1) as llama.cpp's
 * "llama" (SPM) vocabulary, written as convert_hf_to_gguf.py's _set_vocab_sentencepiece writes it:
 * tokenizer.ggml.model "llama", pre "default", every token with a score and a type (normal,
 * unknown, control, byte, user-defined; UNUSED padding to the embedding's rows).
 *
 * llama.cpp's SPM tokenizer merges the adjacent pair whose joined text has the highest score;
 * Hugging Face BPE merges the pair of lowest merge rank. A model folder carries tokenizer.json
 * only (no tokenizer.model with SentencePiece's own scores), so each piece's score is minus the
 * rank of the first merge that makes it: the order transformers' converter derived the merges from.
 * Light (reads JSON only) so validation can ask it.
 */
import { TokenType } from './format.ts';

/** The tokenizer.json fields this needs. */
export interface SpmTokenizerJson {
  added_tokens?: Array<{ id: number; content: string; special?: boolean }>;
  normalizer?: { type?: string; normalizers?: Array<{ type?: string; prepend?: string; pattern?: { String?: string }; content?: string }> } | null;
  pre_tokenizer?: unknown;
  model?: { type?: string; vocab?: Record<string, number>; merges?: Array<string | [string, string]>; byte_fallback?: boolean; unk_token?: string | null };
}

const SPACE = '\u2581';
export const byteToken = (b: number) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;

/** Whether the tokenizer turns spaces into "▁" and prepends one as Llama 2's does (what llama.cpp's add_space_prefix does). */
function llama2Spaces(tok: SpmTokenizerJson): boolean {
  const n = tok.normalizer;
  if (tok.pre_tokenizer != null || n?.type !== 'Sequence' || n.normalizers?.length !== 2) return false;
  const [prepend, replace] = n.normalizers;
  return prepend?.type === 'Prepend' && prepend.prepend === SPACE && replace?.type === 'Replace' && replace.pattern?.String === ' ' && replace.content === SPACE;
}

/** Why llama.cpp could not tokenize as this byte-fallback tokenizer does, or null. */
export function spmProblem(path: string, tok: SpmTokenizerJson): string | null {
  if (!llama2Spaces(tok)) {
    const how = JSON.stringify({ normalizer: tok.normalizer ?? null, pre_tokenizer: tok.pre_tokenizer ?? null }).slice(0, 160);
    return `${path}: a SentencePiece-style tokenizer (byte_fallback) whose space handling (${how}) is not Llama 2's (normalizer Prepend "▁" + Replace " " with "▁", no pre_tokenizer); llama.cpp's SentencePiece tokenizer would split text differently, so Weft does not embed it in GGUF`;
  }
  const vocab = tok.model?.vocab ?? {};
  const missing = Array.from({ length: 256 }, (_, b) => byteToken(b)).filter((t) => !(t in vocab));
  if (missing.length) return `${path}: byte_fallback is on but ${missing.length} byte tokens are missing from the vocabulary (${missing.slice(0, 3).join(', ')}...); llama.cpp needs all 256 <0xXX> tokens`;
  return null;
}

export interface SpmTokens {
  tokens: string[];
  scores: number[];
  types: number[];
}

/** Tokens, scores and types by id, padded to `rows` with UNUSED "[PADn]" entries as the converter pads. */
export function spmTokens(path: string, tok: SpmTokenizerJson, rows: number): SpmTokens {
  const vocab = tok.model?.vocab ?? {};
  const merges = (tok.model?.merges ?? []).map((m) => (typeof m === 'string' ? m.replace(' ', '') : m.join('')));
  const rank = new Map<string, number>();
  merges.forEach((piece, r) => rank.has(piece) || rank.set(piece, r));
  const tokens = Array.from({ length: rows }, (_, i) => `[PAD${i}]`);
  const scores = new Array<number>(rows).fill(-10000);
  const types = new Array<number>(rows).fill(TokenType.UNUSED);
  const place = (id: number, text: string, type: number, score: number) => {
    if (id >= rows) throw new Error(`${path}: token ${JSON.stringify(text)} has id ${id}, beyond the model's ${rows} embedding rows`);
    tokens[id] = text;
    types[id] = type;
    scores[id] = score;
  };
  // Pieces no merge makes score below every merge, so llama.cpp never prefers them (BPE never makes them).
  const unmerged = -merges.length - 1;
  for (const [text, id] of Object.entries(vocab)) {
    if (/^<0x[0-9A-F]{2}>$/.test(text)) place(id, text, TokenType.BYTE, 0);
    else if (text === tok.model?.unk_token) place(id, text, TokenType.UNKNOWN, 0);
    else place(id, text, TokenType.NORMAL, rank.has(text) ? 0 - rank.get(text)! : unmerged);
  }
  for (const a of tok.added_tokens ?? []) {
    const type = a.content === tok.model?.unk_token ? TokenType.UNKNOWN : a.special === false ? TokenType.USER_DEFINED : TokenType.CONTROL;
    place(a.id, a.content, type, type === TokenType.USER_DEFINED ? -1000 : 0);
  }
  return { tokens, scores, types };
}
