/**
 * Tokenizers in the Hugging Face tokenizer.json format, run by the `tokenizers` package (the Rust
 * library): byte-level BPE as in GPT-2, Llama 3 and Qwen, and SentencePiece-style BPE with byte
 * fallback as in Llama 2, TinyLlama and Mistral v0.1. Either way every byte has a token, so no text
 * is ever unknown.
 */
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Tokenizer as HfTokenizer } from 'tokenizers';
import type { TokenizerHandle } from '../sdk/index.ts';
import { bosOf, type TokenizerFile } from './special-tokens.ts';
import { continuationTokenizerJson } from './continuation-tokenizer.ts';

export type { TokenizerHandle };

const require = createRequire(import.meta.url);
const hf = require('tokenizers') as typeof import('tokenizers');

export const EOS = '<|endoftext|>';


/** GPT-2's byte-to-unicode table: printable stand-ins for all 256 bytes, in GPT-2's id order. */
export function byteAlphabet(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  return cs.map((c) => String.fromCharCode(c));
}

/** A complete tokenizer.json for byte-level BPE with the given merges and special tokens. */
export function byteLevelBpeJson(merges: Array<[string, string]>, specials: string[]): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  for (const ch of byteAlphabet()) vocab[ch] = Object.keys(vocab).length;
  for (const [a, b] of merges) if (!((a + b) in vocab)) vocab[a + b] = Object.keys(vocab).length;
  const base = Object.keys(vocab).length;
  const added = specials.map((content, i) => ({ id: base + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges },
  };
}

/**
 * Trains byte-level BPE with the Rust trainer. Its node binding has no vocabulary-size option, so
 * it trains to convergence and we keep the first merges: BPE is greedy, so the first k merges are
 * exactly what a trainer stopped at k would have produced.
 */
export function trainByteLevelBpe(files: string[], vocabSize: number, specials: string[]): Record<string, unknown> {
  const t = new hf.Tokenizer(hf.BPE.empty());
  t.setPreTokenizer(hf.byteLevelPreTokenizer(false, true));
  t.train(files);
  const trained = JSON.parse(readJsonOf(t)) as { model: { merges: Array<[string, string] | string> } };
  const merges = trained.model.merges.map((m) => (typeof m === 'string' ? (m.split(' ') as [string, string]) : m));
  const room = Math.max(0, vocabSize - 256 - specials.length);
  return byteLevelBpeJson(merges.slice(0, room), specials);
}

function readJsonOf(t: HfTokenizer): string {
  const tmp = `${process.env.TMPDIR ?? '/tmp'}/weft-tok-${process.pid}-${Date.now()}.json`;
  t.save(tmp);
  const text = readFileSync(tmp, 'utf8');
  try {
    require('node:fs').unlinkSync(tmp);
  } catch {
    /* gone */
  }
  return text;
}

/** A loaded tokenizer with the few operations training and generation need. */
export class TextTokenizer {
  private constructor(
    private readonly t: HfTokenizer,
    readonly vocabSize: number,
    readonly specials: Record<string, number>,
    /** The beginning-of-sequence token, when the tokenizer has one. */
    readonly bos: { id: number; text: string } | null,
    /** Whether a prompt starts with `bos` (transformers' add_bos_token): Llama 2 yes, GPT-2 no. */
    readonly addBos: boolean,
    /** Byte-fallback tokens <0x00>..<0xFF> (SentencePiece-style tokenizers only), which decode together in runs. */
    readonly byteTokens: ReadonlySet<number>,
    /** For pieces that continue a text: the same tokenizer without SentencePiece's "▁" prefix (null: no prefix to drop). */
    private readonly continuation: HfTokenizer | null = null,
  ) {}

  static fromFile(path: string): TextTokenizer {
    let json: TokenizerFile;
    try {
      json = JSON.parse(readFileSync(path, 'utf8')) as TokenizerFile;
    } catch (e) {
      throw new Error(`${path}: not a readable tokenizer.json (${(e as Error).message})`);
    }
    let t: HfTokenizer;
    try {
      t = hf.Tokenizer.fromFile(path);
    } catch (e) {
      throw new Error(`${path}: the tokenizers library rejected it: ${(e as Error).message}`);
    }
    const specials = Object.fromEntries((json.added_tokens ?? []).filter((a) => a.special !== false).map((a) => [a.content, a.id]));
    const { bos, addBos } = bosOf(path, json, (text) => t.tokenToId(text) ?? null);
    const byteTokens = new Set<number>();
    if (json.model?.byte_fallback) {
      for (let b = 0; b < 256; b++) {
        const id = t.tokenToId(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
        if (id !== null && id !== undefined) byteTokens.add(id);
      }
    }
    const continuationJson = continuationTokenizerJson(json as Record<string, unknown>);
    return new TextTokenizer(t, t.getVocabSize(true), specials, bos, addBos, byteTokens, continuationJson ? hf.Tokenizer.fromString(continuationJson) : null);
  }

  /** The tokens of a text, no special tokens added (special tokens written in it are still recognized). */
  async encode(text: string): Promise<number[]> {
    return (await this.t.encode(text, null, { addSpecialTokens: false })).getIds();
  }

  /** A prompt as transformers' `tokenizer(text)` encodes it: with the BOS token first when the tokenizer adds one. */
  async encodePrompt(text: string): Promise<number[]> {
    const ids = await this.encode(text);
    return this.addBos && this.bos && ids[0] !== this.bos.id ? [this.bos.id, ...ids] : ids;
  }

  async encodeBatch(texts: string[]): Promise<number[][]> {
    if (!texts.length) return [];
    return (await this.t.encodeBatch(texts, { addSpecialTokens: false })).map((e) => e.getIds());
  }

  /**
   * The pieces of texts cut apart (what is learned and what is not), each `continues` piece as the
   * middle of its text: a SentencePiece-style tokenizer puts its "▁" prefix only before a text's
   * first piece, so the pieces' tokens are what the whole text gives, not one space more per piece.
   */
  async encodePieces(pieces: string[], continues: readonly boolean[]): Promise<number[][]> {
    if (!this.continuation) return this.encodeBatch(pieces);
    const cont = this.continuation;
    return Promise.all(pieces.map(async (text, i) => ((await (continues[i] ? cont : this.t).encode(text, null, { addSpecialTokens: false })).getIds())));
  }

  /**
   * Texts given in pieces (a prompt, then its response): each `starts` piece begins a text, with BOS
   * where the tokenizer adds one (as `encodePrompt`), every other piece continues the one before.
   * Training, scoring and generation all encode a prompt this way, so each sees what the others do.
   */
  async encodeTexts(pieces: string[], starts: readonly boolean[]): Promise<number[][]> {
    const bos = this.addBos && this.bos ? this.bos.id : null;
    const encoded = await this.encodePieces(pieces, starts.map((s) => !s));
    return encoded.map((ids, i) => (bos !== null && starts[i] && ids[0] !== bos ? [bos, ...ids] : ids));
  }

  decode(ids: number[]): Promise<string> {
    return this.t.decode(ids, false);
  }

  /**
   * The text of tokens that follow `prompt`, as it reads after the prompt's text. SentencePiece-style
   * decoders strip the space of a sequence's first token ("▁Hello" alone is "Hello"), so decoding
   * the new tokens alone would glue the first word to the prompt; decoding them after the prompt's
   * last token keeps it. Falls back to decoding them alone when that token does not decode to a
   * prefix (it ends inside a character whose rest the new tokens bring).
   */
  async decodeAfter(prompt: readonly number[], ids: number[]): Promise<string> {
    const last = prompt[prompt.length - 1];
    if (last === undefined || !ids.length) return this.decode(ids);
    const [head, whole] = await Promise.all([this.decode([last]), this.decode([last, ...ids])]);
    return whole.startsWith(head) && !head.endsWith('\uFFFD') ? whole.slice(head.length) : this.decode(ids);
  }

  tokenOf(text: string): number | null {
    return this.t.tokenToId(text);
  }
}

export function writeTokenizer(path: string, json: Record<string, unknown>): void {
  writeFileSync(path, JSON.stringify(json));
}
