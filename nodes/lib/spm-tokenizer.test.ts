/**
 * SentencePiece-style BPE with byte fallback (Llama 2, TinyLlama, Mistral v0.1) as a model folder
 * brings it: Weft must tokenize, add BOS, render the chat template and decode exactly as
 * transformers does (test/fixtures/hf/spm_fixture.py wrote transformers' answers beside the model).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeContext, paramsFor, runNode } from '../../test/fixtures/node-harness.ts';
import generateNode from '../generate/index.ts';
import type { TextHandle } from '../sdk/index.ts';
import { readChatFormat } from './chat-template.ts';
import { inspectModelFolder } from './gpt/io.ts';
import { TextStream } from './playground/text-stream.ts';
import { PlaygroundSession } from './playground/session.ts';
import { TextTokenizer } from './tokenizer.ts';

const DIR = join(import.meta.dirname, '../../test/fixtures/hf/llama2-spm');
interface TextCase { text: string; ids: number[]; ids_with_bos: number[]; tokenizer_json_ids: number[]; tokens: string[]; decoded: string; decoded_with_bos: string }
const ref = JSON.parse(readFileSync(join(DIR, 'tokenizer-reference.json'), 'utf8')) as {
  texts: TextCase[];
  chat: { messages: Array<{ role: string; content: string }>; text: string; ids: number[] };
  generation: { prompt: string; continuation: string };
  bos_token_id: number;
};
const tok = TextTokenizer.fromFile(join(DIR, 'tokenizer.json'));
const BYTE_IDS = { first: 3, last: 258 }; // <0x00>..<0xFF>
// transformers 5 rebuilds Llama tokenizers with a Metaspace pre-tokenizer that adds no "▁" before
// text already starting with a space; SentencePiece, the tokenizer.json and llama.cpp do add it.
const leadingSpace = (c: TextCase) => c.text.startsWith(' ');

describe('SentencePiece byte-fallback tokenizer (Llama 2 style)', () => {
  it.each(ref.texts.filter((c) => !leadingSpace(c)).map((c) => [c.text, c] as const))('%j: the same ids as transformers, BOS as it adds it, decoded back', async (_, c) => {
    expect(await tok.encode(c.text)).toEqual(c.ids);
    expect(await tok.encodePrompt(c.text)).toEqual(c.ids_with_bos);
    expect(await tok.decode(c.ids)).toBe(c.decoded);
    expect(await tok.decode(c.ids_with_bos)).toBe(c.decoded_with_bos);
    expect(c.decoded).toBe(c.text); // nothing lost: characters outside the vocabulary came back from their bytes
  });

  it('text starting with spaces tokenizes as the tokenizer.json (and SentencePiece) does, one "▁" more than transformers 5', async () => {
    const cases = ref.texts.filter(leadingSpace);
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      const ids = await tok.encode(c.text);
      expect(ids).toEqual(c.tokenizer_json_ids);
      expect(ids.slice(1)).toEqual(c.ids); // the only difference: the dummy prefix's "▁" token
      expect(await tok.decode(ids)).toBe(c.text);
    }
  });

  it('characters outside the vocabulary become their UTF-8 bytes as byte tokens', async () => {
    const cjk = ref.texts.find((c) => c.text.startsWith('日本語'))!;
    const ids = await tok.encode('日本語');
    expect(ids.slice(1)).toEqual([...new TextEncoder().encode('日本語')].map((b) => BYTE_IDS.first + b));
    expect(cjk.tokens.filter((t) => /^<0x[0-9A-F]{2}>$/.test(t)).length).toBeGreaterThanOrEqual(3 * 8 + 3 * 2); // and 'x', not a piece either
    expect(Math.max(...ids.slice(1))).toBeLessThanOrEqual(BYTE_IDS.last);
  });

  it('knows its BOS token and that prompts start with it (tokenizer_config add_bos_token)', () => {
    expect(tok.bos).toEqual({ id: ref.bos_token_id, text: '<s>' });
    expect(tok.addBos).toBe(true);
  });

  it('renders and tokenizes the chat template as transformers apply_chat_template does', async () => {
    const chat = readChatFormat(DIR);
    expect(chat?.bosToken).toBe('<s>');
    const text = await PlaygroundSession.renderPrompt({ mode: 'chat', messages: ref.chat.messages as never }, chat);
    expect(text).toBe(ref.chat.text);
    expect(await tok.encode(text)).toEqual(ref.chat.ids);
  });

  it('streams an emoji split over byte tokens whole, and keeps the space before the first generated word', async () => {
    const prompt = await tok.encodePrompt('Call me');
    const text = 'Ishmael: a whale 🐳, thumbs 👍🏽 and 日本';
    const generated = await tok.encode(text);
    expect(generated.filter((id) => id >= BYTE_IDS.first && id <= BYTE_IDS.last).length).toBeGreaterThanOrEqual(4 + 8 + 6);
    const stream = new TextStream((ids) => tok.decodeAfter(prompt, ids), [], (id) => tok.byteTokens.has(id));
    const deltas: string[] = [];
    for (const id of generated) deltas.push((await stream.push(id)).delta);
    deltas.push(await stream.finish());
    expect(deltas.join('')).toBe(` ${text}`);
    for (const d of deltas) expect(d).not.toContain('\uFFFD');
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    for (const d of deltas) expect(d).not.toMatch(loneSurrogate);
    expect(deltas.some((d) => d.includes('🐳'))).toBe(true);
  });

  // The random model's greedy tokens include a valid byte ('h') followed by an invalid one: transformers
  // decodes the run together as "\uFFFD\uFFFD", so the stream must not send the 'h' early.
  it('the playground continues a prompt with the tokens and text transformers generates', async () => {
    const session = new PlaygroundSession();
    try {
      const deltas: string[] = [];
      const stats = await session.generate({ modelDir: DIR, mode: 'complete', prompt: ref.generation.prompt, settings: { maxTokens: 8, temperature: 0, topK: 0, topP: 1, seed: 1 } }, (d) => deltas.push(d), new AbortController().signal);
      const reference = JSON.parse(readFileSync(join(DIR, 'reference.json'), 'utf8')) as { input_ids: number[] };
      expect(stats.promptTokens).toBe(reference.input_ids.length); // BOS included, as transformers encodes the prompt
      expect(deltas.join('')).toBe(ref.generation.continuation);
    } finally {
      session.dispose();
    }
  }, 120_000);

  it('Generate writes the prompt and transformers\' continuation (BOS added, byte run decoded whole)', async () => {
    const model = { kind: 'model' as const, dir: DIR, parameters: 0, config: inspectModelFolder(DIR) };
    const r = await runNode(generateNode, { model }, paramsFor(generateNode, { prompt: ref.generation.prompt, maxTokens: 8, samples: 1, temperature: 0 }), fakeContext());
    expect(readFileSync((r.outputs.text as TextHandle).path, 'utf8')).toBe(ref.generation.prompt + ref.generation.continuation);
  }, 120_000);
});
