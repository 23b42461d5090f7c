/**
 * The tokenizer embedded in a GGUF file, as llama.cpp reads it (src/llama-vocab.cpp): byte-level
 * BPE as tokenizer.ggml.model "gpt2" with the pre-tokenizer named (GPT-2's, Llama 3's... split),
 * SentencePiece-style BPE with byte fallback as "llama" (spm-vocab.ts); the token strings in id
 * order, their types, the merges or scores, the special ids and the chat template. The token list
 * is padded to the embedding's rows with UNUSED entries, since llama.cpp requires equal lengths.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelShape } from '../hf-config.ts';
import { bosOf, tokenText } from '../special-tokens.ts';
import { TokenType } from './format.ts';
import { spmProblem, spmTokens, type SpmTokenizerJson } from './spm-vocab.ts';
import { meta, type MetaValue } from './writer.ts';

interface PreTokenizer {
  type?: string;
  pretokenizers?: PreTokenizer[];
  use_regex?: boolean;
  individual_digits?: boolean;
  pattern?: { Regex?: string; String?: string };
}

interface TokenizerJson extends SpmTokenizerJson {
  pre_tokenizer?: PreTokenizer | null;
  post_processor?: { type?: string; single?: Array<{ SpecialToken?: { id: string } }> } | null;
}

export interface EmbeddedVocab {
  metadata: Array<[string, MetaValue]>;
  /** Token strings by id (padded), for the Modelfile's stop parameter. */
  tokens: string[];
  eosToken: string | null;
  chatTemplate: string | null;
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** The split regexes of Llama 3 and Qwen2 tokenizers, as their tokenizer.json writes them. */
const LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/**
 * llama.cpp's name (tokenizer.ggml.pre) for how a byte-level BPE tokenizer splits text before merging,
 * or null when it splits in a way we cannot name. llama.cpp splits by this name, not by the file's
 * regex: a wrong name tokenizes differently (e.g. digits in threes for Llama 3, one by one for Qwen2).
 */
export function preTokenizerName(pre: PreTokenizer | null | undefined): string | null {
  if (!pre) return null;
  if (pre.type === 'ByteLevel') return pre.use_regex === false ? null : 'gpt-2';
  if (pre.type !== 'Sequence') return null;
  const [first, second, ...rest] = pre.pretokenizers ?? [];
  if (!first || !second || rest.length || second.type !== 'ByteLevel') return null;
  if (first.type === 'Split' && second.use_regex === false) {
    if (first.pattern?.Regex === LLAMA3_SPLIT) return 'llama-bpe';
    if (first.pattern?.Regex === QWEN2_SPLIT) return 'qwen2';
    return null;
  }
  if (first.type === 'Digits' && first.individual_digits && second.use_regex !== false) return 'smollm';
  return null;
}

/**
 * Why a tokenizer.json cannot be embedded as a llama.cpp vocabulary ("gpt2" byte-level BPE, or
 * "llama" SentencePiece-style BPE with byte fallback), or null when it can. Light (reads JSON
 * only) so validation can ask it.
 */
export function vocabProblem(tokenizerPath: string): string | null {
  if (!existsSync(tokenizerPath)) return `${tokenizerPath} is missing; GGUF embeds the tokenizer`;
  const tok = readJson(tokenizerPath) as TokenizerJson;
  if (tok.model?.type !== 'BPE') return `${tokenizerPath}: model.type is "${tok.model?.type}"; Weft embeds byte-level BPE tokenizers in GGUF (WordPiece, Unigram and others are not supported)`;
  if (tok.model.byte_fallback) return spmProblem(tokenizerPath, tok);
  if (!preTokenizerName(tok.pre_tokenizer)) {
    return `${tokenizerPath}: its pre_tokenizer (${JSON.stringify(tok.pre_tokenizer ?? null).slice(0, 120)}) is not one llama.cpp knows by name (GPT-2's, Llama 3's, Qwen2's or SmolLM's split); llama.cpp would split text differently, so Weft does not embed it in GGUF`;
  }
  return null;
}

/** tokenizer.* metadata for a model folder's tokenizer. */
export function embeddedVocab(tokenizerPath: string, c: ModelShape): EmbeddedVocab {
  const problem = vocabProblem(tokenizerPath);
  if (problem) throw new Error(problem);
  const tok = readJson(tokenizerPath) as TokenizerJson;
  const configFile = join(tokenizerPath, '..', 'tokenizer_config.json');
  const tcfg = existsSync(configFile) ? readJson(configFile) : {};
  const byId = new Map<number, { text: string; type: number }>();
  for (const [text, id] of Object.entries(tok.model!.vocab ?? {})) byId.set(id, { text, type: TokenType.NORMAL });
  for (const a of tok.added_tokens ?? []) byId.set(a.id, { text: a.content, type: a.special === false ? TokenType.USER_DEFINED : TokenType.CONTROL });
  const largest = Math.max(-1, ...byId.keys());
  if (largest >= c.vocabSize) throw new Error(`${tokenizerPath}: token id ${largest} is beyond the model's ${c.vocabSize} embedding rows`);
  const tokens: string[] = [];
  const types: number[] = [];
  const spm = tok.model!.byte_fallback ? spmTokens(tokenizerPath, tok, c.vocabSize) : null;
  if (spm) {
    tokens.push(...spm.tokens);
    types.push(...spm.types);
  } else {
    for (let i = 0; i < c.vocabSize; i++) {
      const t = byId.get(i);
      tokens.push(t?.text ?? `[PAD${i}]`);
      types.push(t?.type ?? TokenType.UNUSED);
    }
  }
  const idOf = (v: unknown): number | undefined => {
    const text = tokenText(v);
    if (text === null) return undefined;
    const i = tokens.indexOf(text);
    return i >= 0 && types[i] !== TokenType.UNUSED ? i : undefined;
  };
  const { bos: bosToken, addBos } = bosOf(tokenizerPath, tok, (text) => idOf(text) ?? null);
  const eos = c.eosTokenId ?? idOf(tcfg.eos_token);
  const bos = c.bosTokenId ?? bosToken?.id;
  const pad = c.padTokenId ?? idOf(tcfg.pad_token);
  const chatTemplate = typeof tcfg.chat_template === 'string' ? tcfg.chat_template : null;
  const metadata: Array<[string, MetaValue]> = spm
    ? [
        ['tokenizer.ggml.model', meta.str('llama')],
        ['tokenizer.ggml.pre', meta.str('default')],
        ['tokenizer.ggml.tokens', meta.strs(tokens)],
        ['tokenizer.ggml.scores', meta.f32s(spm.scores)],
        ['tokenizer.ggml.token_type', meta.i32s(types)],
      ]
    : [
        ['tokenizer.ggml.model', meta.str('gpt2')],
        ['tokenizer.ggml.pre', meta.str(preTokenizerName(tok.pre_tokenizer)!)],
        ['tokenizer.ggml.tokens', meta.strs(tokens)],
        ['tokenizer.ggml.token_type', meta.i32s(types)],
        ['tokenizer.ggml.merges', meta.strs((tok.model!.merges ?? []).map((m) => (typeof m === 'string' ? m : m.join(' '))))],
      ];
  if (bos !== undefined) metadata.push(['tokenizer.ggml.bos_token_id', meta.u32(bos)]);
  if (eos !== undefined) metadata.push(['tokenizer.ggml.eos_token_id', meta.u32(eos)]);
  const unk = spm ? idOf(tok.model!.unk_token) : undefined;
  if (unk !== undefined) metadata.push(['tokenizer.ggml.unknown_token_id', meta.u32(unk)]);
  if (pad !== undefined) metadata.push(['tokenizer.ggml.padding_token_id', meta.u32(pad)]);
  // As transformers adds them: Llama 2 starts prompts with <s>; byte-level BPE (GPT-2, Qwen, SmolLM) adds nothing unless its config says so.
  metadata.push(['tokenizer.ggml.add_bos_token', meta.bool(addBos)]);
  if (spm) {
    metadata.push(['tokenizer.ggml.add_eos_token', meta.bool(tcfg.add_eos_token === true)]);
    // The "▁" Llama 2's normalizer prepends (llama.cpp's default for SPM; written so no reader guesses).
    metadata.push(['tokenizer.ggml.add_space_prefix', meta.bool(true)]);
  }
  if (chatTemplate) metadata.push(['tokenizer.chat_template', meta.str(chatTemplate)]);
  return { metadata, tokens, eosToken: eos !== undefined ? tokens[eos]! : null, chatTemplate };
}
