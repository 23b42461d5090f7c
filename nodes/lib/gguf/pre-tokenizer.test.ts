/**
 * llama.cpp splits text by the pre-tokenizer name a GGUF file gives (tokenizer.ggml.pre), not by the
 * regex in tokenizer.json. Each byte-level split Weft names (GPT-2's, Llama 3's, Qwen2's, SmolLM's)
 * must make llama.cpp tokenize text exactly as the tokenizer.json does in Weft; a split it cannot
 * name is refused rather than exported to tokenize differently.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useBestBackend } from '../backend.ts';
import type { GptConfig } from '../gpt/config.ts';
import { disposeParams, initParams } from '../gpt/model.ts';
import { EOS, TextTokenizer, trainByteLevelBpe, writeTokenizer } from '../tokenizer.ts';
import { writeModelGguf } from './export.ts';
import { llamaCpp } from './test-support.ts';
import { preTokenizerName, vocabProblem } from './vocab.ts';

const LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const split = (regex: string) => ({ type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: regex }, behavior: 'Isolated', invert: false }, { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false }] });
const VARIANTS: Record<string, unknown> = {
  'gpt-2': { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  'llama-bpe': split(LLAMA3),
  qwen2: split(QWEN2),
  smollm: { type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true }] },
};
const TEXT = "In 1851 the ship's log read 12345 miles; we'll sail 2,024 more.\n\n  Don't stop: 7 seas, 365 days!";

const root = mkdtempSync(join(tmpdir(), 'weft-pre-'));
const corpus = join(root, 'corpus.txt');
writeFileSync(corpus, Array.from({ length: 60 }, (_, i) => `In ${1800 + i} the ship's log read ${i * 137} miles; we'll sail ${i * 7},${i} more.\n\n  Don't stop: ${i} seas, ${i * 5} days!`).join('\n\n  '));
const trained = trainByteLevelBpe([corpus], 420, [EOS]);

afterAll(async () => (await llamaCpp()).dispose());

describe('GGUF pre-tokenizers', () => {
  it.each(Object.keys(VARIANTS))('%s: llama.cpp tokenizes text exactly as Weft does', async (name) => {
    await useBestBackend();
    const dir = mkdtempSync(join(root, `${name}-`));
    const tokPath = join(dir, 'tokenizer.json');
    writeTokenizer(tokPath, { ...trained, pre_tokenizer: VARIANTS[name] });
    expect(vocabProblem(tokPath)).toBeNull();
    const tok = TextTokenizer.fromFile(tokPath);
    const config: GptConfig = { vocabSize: 448, contextLength: 64, width: 32, layers: 1, heads: 2, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1, eosTokenId: tok.specials[EOS] };
    const params = initParams(config, 1);
    const file = join(dir, 'model.gguf');
    try {
      await writeModelGguf(params, config, tokPath, file, 'F32');
    } finally {
      disposeParams(params);
    }
    const model = await (await llamaCpp()).loadModel({ modelPath: file });
    try {
      const weft = await tok.encode(TEXT);
      expect(Array.from(model.tokenize(TEXT) as unknown as number[])).toEqual(weft);
    } finally {
      await model.dispose();
    }
  }, 120_000);

  // Qwen2's and SmolLM's splits both take digits one by one; on this text they agree, so the test
  // above cannot tell those two apart. Every other pair differs: a wrong name there would fail it.
  it('the splits tokenize differently (so a wrong name would be caught above)', async () => {
    const seqs = new Map<string, string>();
    for (const [name, pre] of Object.entries(VARIANTS)) {
      const p = join(mkdtempSync(join(root, 'cmp-')), 'tokenizer.json');
      writeTokenizer(p, { ...trained, pre_tokenizer: pre });
      seqs.set(name, JSON.stringify(await TextTokenizer.fromFile(p).encode(TEXT)));
    }
    for (const [a, b] of [['gpt-2', 'llama-bpe'], ['gpt-2', 'qwen2'], ['gpt-2', 'smollm'], ['llama-bpe', 'qwen2'], ['llama-bpe', 'smollm']] as const) expect(seqs.get(a), `${a} vs ${b}`).not.toBe(seqs.get(b));
  });

  it('refuses a split llama.cpp cannot name, and byte fallback without Llama 2\'s space handling, saying why', () => {
    expect(preTokenizerName(split('\\p{L}+|\\s+'))).toBeNull();
    const p = join(mkdtempSync(join(root, 'bad-')), 'tokenizer.json');
    writeTokenizer(p, { ...trained, pre_tokenizer: split('\\p{L}+|\\s+') });
    expect(vocabProblem(p)).toMatch(/pre_tokenizer .* is not one llama\.cpp knows by name/);
    writeTokenizer(p, { ...trained, model: { ...(trained.model as object), byte_fallback: true } });
    expect(vocabProblem(p)).toMatch(/SentencePiece-style tokenizer \(byte_fallback\) whose space handling .* is not Llama 2's/);
  });
});
