/**
 * GGUF export of a model with a SentencePiece-style byte-fallback tokenizer (Llama 2 style, the
 * llama2-spm fixture): llama.cpp reads the embedded "llama" vocabulary and tokenizes every text
 * exactly as Weft does (accents, emoji and CJK through byte tokens, newlines, leading spaces, a chat
 * with special tokens), adds BOS as transformers does, and generates transformers' greedy tokens.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gguf } from '@huggingface/gguf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.ts';
import { useBestBackend } from '../backend.ts';
import { loadModelFolder } from '../gpt/io.ts';
import { disposeParams } from '../gpt/model.ts';
import { TextTokenizer } from '../tokenizer.ts';
import { writeModelGguf, type GgufFileType } from './export.ts';
import { TokenType } from './format.ts';
import { copyFileSync } from 'node:fs';
import type { GptConfig } from '../gpt/config.ts';
import { initParams } from '../gpt/model.ts';
import { MemoryTokens } from '../token-source.ts';
import { trainLanguageModel } from '../train/lm-trainer.ts';
import { DEFAULT_OPTIMIZER } from '../train/optimizer.ts';
import { DEFAULT_SCHEDULE } from '../train/schedule.ts';
import { loadGguf } from './load.ts';
import { agreement, llamaCpp, openInLlamaCpp, TRAINING_TEXT, weftGreedy, weftTopTokens } from './test-support.ts';
import { vocabProblem } from './vocab.ts';

const DIR = join(import.meta.dirname, '../../../test/fixtures/hf/llama2-spm');
const TOKENIZER = join(DIR, 'tokenizer.json');
const ref = JSON.parse(readFileSync(join(DIR, 'tokenizer-reference.json'), 'utf8')) as { texts: Array<{ text: string; ids_with_bos: number[] }>; chat: { text: string; ids: number[] } };
const model = JSON.parse(readFileSync(join(DIR, 'reference.json'), 'utf8')) as { input_ids: number[]; greedy: number[] };
const out = tempDir('weft-spm-gguf-');
const paths = {} as Record<GgufFileType, string>;
const tok = TextTokenizer.fromFile(TOKENIZER);

beforeAll(async () => {
  await useBestBackend();
  const { config, params } = loadModelFolder(DIR);
  try {
    for (const type of ['F32', 'F16', 'Q8_0'] as const) {
      paths[type] = join(out, `llama2-spm-${type}.gguf`);
      await writeModelGguf(params, config, TOKENIZER, paths[type], type, { name: 'llama2-spm' });
    }
  } finally {
    disposeParams(params);
  }
}, 120_000);

afterAll(async () => (await llamaCpp()).dispose());

describe('GGUF with a SentencePiece byte-fallback tokenizer', () => {
  it('writes the vocabulary as llama.cpp\'s converter does: model "llama", scores, token types, special ids, add_bos', async () => {
    expect(vocabProblem(TOKENIZER)).toBeNull();
    const m = (await gguf(paths.F32, { allowLocalFile: true })).metadata as unknown as Record<string, unknown>;
    expect(m['tokenizer.ggml.model']).toBe('llama');
    expect(m['tokenizer.ggml.pre']).toBe('default');
    const tokens = m['tokenizer.ggml.tokens'] as string[];
    const types = m['tokenizer.ggml.token_type'] as number[];
    const scores = m['tokenizer.ggml.scores'] as number[];
    expect(tokens.length).toBe(448); // the embedding's rows
    expect(scores.length).toBe(448);
    const count = (t: number) => types.filter((x) => x === t).length;
    expect([count(TokenType.UNKNOWN), count(TokenType.CONTROL), count(TokenType.BYTE)]).toEqual([1, 2, 256]);
    expect(types.slice(3, 259).every((t) => t === TokenType.BYTE)).toBe(true);
    expect(count(TokenType.UNUSED)).toBe(448 - tok.vocabSize);
    expect([m['tokenizer.ggml.unknown_token_id'], m['tokenizer.ggml.bos_token_id'], m['tokenizer.ggml.eos_token_id']]).toEqual([0, 1, 2]);
    expect(m['tokenizer.ggml.add_bos_token']).toBe(true);
    expect(m['tokenizer.ggml.add_eos_token']).toBe(false);
    expect(m['tokenizer.ggml.add_space_prefix']).toBe(true);
    expect(m['tokenizer.chat_template']).toContain('[INST]');
    // Each piece scores minus the rank of its first merge, so llama.cpp (best-scoring pair first) merges in BPE's order.
    const merges = (JSON.parse(readFileSync(TOKENIZER, 'utf8')) as { model: { merges: string[] } }).model.merges.map((m) => m.replace(' ', ''));
    const pieces = [...new Set(merges)];
    expect(pieces.length).toBeGreaterThan(100);
    for (const piece of pieces) expect(scores[tokens.indexOf(piece)], piece).toBe(0 - merges.indexOf(piece));
  });

  it('llama.cpp tokenizes every text exactly as Weft, and detokenizes it back the same', async () => {
    const lm = await (await llamaCpp()).loadModel({ modelPath: paths.F32 });
    try {
      for (const { text } of ref.texts) {
        const weft = await tok.encode(text);
        expect(Array.from(lm.tokenize(text) as unknown as number[]), JSON.stringify(text)).toEqual(weft);
        expect(lm.detokenize(weft as never), JSON.stringify(text)).toBe(await tok.decode(weft));
      }
      // A chat rendered with its template: special tokens in the text, a "▁" after each as Hugging Face adds it.
      expect(Array.from(lm.tokenize(ref.chat.text, true) as unknown as number[])).toEqual(ref.chat.ids);
      // BOS as transformers adds it (add_bos_token): llama.cpp starts a prompt with it too.
      const text = ref.texts[0]!.text;
      expect([lm.tokens.bos, ...(lm.tokenize(text) as unknown as number[])]).toEqual(ref.texts[0]!.ids_with_bos);
      expect(lm.tokens.shouldPrependBosToken).toBe(true);
    } finally {
      await lm.dispose();
    }
  }, 120_000);

  it('F32 and F16 give transformers\' greedy tokens; Q8_0\'s next-token predictions agree with Weft\'s', async () => {
    for (const type of ['F32', 'F16'] as const) {
      const lc = await openInLlamaCpp(paths[type]);
      try {
        expect(await lc.greedy(model.input_ids, model.greedy.length), type).toEqual(model.greedy);
      } finally {
        await lc.dispose();
      }
    }
    const { config, params } = loadModelFolder(DIR);
    const full = [...model.input_ids, ...model.greedy];
    const weftTop = (await weftTopTokens(params, config, full)).slice(0, -1);
    disposeParams(params);
    const q8 = await openInLlamaCpp(paths.Q8_0);
    const q8Top = (await q8.topTokens(full)).slice(0, -1);
    const q8Greedy = await q8.greedy(model.input_ids, model.greedy.length);
    await q8.dispose();
    const agree = agreement(q8Top, weftTop);
    console.log(`llama2-spm Q8_0: next-token agreement with Weft ${agree}/${weftTop.length}; greedy ${JSON.stringify(q8Greedy)} vs ${JSON.stringify(model.greedy)}`);
    expect(agree).toBeGreaterThanOrEqual(Math.ceil(0.8 * weftTop.length));
  }, 300_000);

  it('refuses a byte-fallback tokenizer whose space handling llama.cpp would not reproduce, saying why', async () => {
    const json = JSON.parse(readFileSync(TOKENIZER, 'utf8')) as Record<string, unknown>;
    const dir = tempDir('weft-spm-bad-');
    const { writeFileSync } = await import('node:fs');
    const p = join(dir, 'tokenizer.json');
    writeFileSync(p, JSON.stringify({ ...json, normalizer: null, pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false } }));
    expect(vocabProblem(p)).toMatch(/SentencePiece-style tokenizer \(byte_fallback\) whose space handling .* is not Llama 2's/);
    const vocab = { ...(json.model as { vocab: Record<string, number> }).vocab };
    delete vocab['<0x0A>'];
    writeFileSync(p, JSON.stringify({ ...json, model: { ...(json.model as object), vocab } }));
    expect(vocabProblem(p)).toMatch(/1 byte tokens are missing.*<0x0A>/);
  });

  // The random fixture's logits have near-ties that 8-bit activations flip; a model Weft trains with
  // the same tokenizer predicts with margins, so there llama.cpp's greedy tokens must equal Weft's exactly.
  it('a model Weft trained with this tokenizer: llama.cpp\'s greedy tokens equal Weft\'s for F32, F16 and Q8_0', async () => {
    const config: GptConfig = { family: 'llama', vocabSize: 448, contextLength: 64, width: 64, layers: 2, heads: 2, kvHeads: 1, headDim: 32, intermediateSize: 128,
      rope: { theta: 10000 }, dropout: 0, causal: true, tiedEmbeddings: false, layerNormEps: 1e-6, numClasses: 0, maskTokenId: -1, bosTokenId: 1, eosTokenId: 2 };
    const params = initParams(config, 3);
    const dir = tempDir('weft-spm-trained-');
    copyFileSync(TOKENIZER, join(dir, 'tokenizer.json'));
    copyFileSync(join(DIR, 'tokenizer_config.json'), join(dir, 'tokenizer_config.json'));
    try {
      const ids = Int32Array.from([1, ...(await tok.encode(TRAINING_TEXT.repeat(12)))]);
      await trainLanguageModel({
        config, params, train: new MemoryTokens(ids), objective: 'causal', maskProbability: 0, batchSize: 8, context: 64, steps: 40,
        gradAccum: 1, evalEvery: 0, evalBatches: 0, checkpointEvery: 0, keepCheckpoints: 1, checkpointDir: join(dir, '.ckpt'),
        optimizer: DEFAULT_OPTIMIZER, schedule: { ...DEFAULT_SCHEDULE, lr: 1e-2, warmupSteps: 5 }, seed: 3, progress: async () => undefined, log: () => undefined,
      });
      const prompt = await tok.encodePrompt('Call me Ishmael. Some years');
      for (const type of ['F32', 'F16', 'Q8_0'] as const) {
        const path = join(dir, `trained-${type}.gguf`);
        await writeModelGguf(params, config, join(dir, 'tokenizer.json'), path, type);
        const weights = type === 'F32' ? null : await loadGguf(path, undefined);
        const weft = await weftGreedy(weights?.params ?? params, config, prompt, 16);
        if (weights) disposeParams(weights.params);
        const lc = await openInLlamaCpp(path);
        try {
          expect(await lc.greedy(prompt, 16), `${type}: ${await tok.decode(weft)}`).toEqual(weft);
        } finally {
          await lc.dispose();
        }
      }
    } finally {
      disposeParams(params);
    }
  }, 600_000);
});
