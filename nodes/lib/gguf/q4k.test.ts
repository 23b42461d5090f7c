/**
 * Q4_K in a whole file: a Llama model Weft trained, 256 wide so its matrices are whole 256-value
 * super-blocks, exported as Q4_K. llama.cpp loads it and predicts what Weft predicts from the same
 * 4-bit weights; perplexity stays close to F32; @huggingface/gguf parses it; Weft loads it back; a
 * matrix whose rows are not whole super-blocks (ffn_down, 320 wide) falls back to Q5_0 as in llama.cpp.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { gguf } from '@huggingface/gguf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.ts';
import { tf } from '../backend.ts';
import { loadModelFolder } from '../gpt/io.ts';
import { disposeParams, type Params } from '../gpt/model.ts';
import type { GptConfig } from '../gpt/config.ts';
import { MemoryTokens } from '../token-source.ts';
import { TextTokenizer } from '../tokenizer.ts';
import { windowPerplexity } from '../window-perplexity.ts';
import { writeModelGguf, type GgufFileType } from './export.ts';
import { GgmlType } from './format.ts';
import { loadGguf } from './load.ts';
import { agreement, llamaCpp, openInLlamaCpp, TRAINING_TEXT, trainTinyModel, weftTopTokens } from './test-support.ts';

const dir = join(tempDir('weft-q4k-'), 'model');
const paths = {} as Record<GgufFileType, string>;
let config: GptConfig;
let params: Params;
let text: number[];

const perplexity = async (p: Params) => (await windowPerplexity(p, config, new MemoryTokens(Int32Array.from(text)), 4096, 4, async () => undefined)).perplexity;

beforeAll(async () => {
  await trainTinyModel(dir, 'llama', 40, { width: 256, heads: 4, kvHeads: 2, headDim: 64, intermediateSize: 320 });
  ({ config, params } = loadModelFolder(dir));
  text = await TextTokenizer.fromFile(join(dir, 'tokenizer.json')).encode(TRAINING_TEXT.repeat(3));
  for (const type of ['F32', 'Q4_K'] as const) {
    paths[type] = join(dir, `model-${type}.gguf`);
    await writeModelGguf(params, config, join(dir, 'tokenizer.json'), paths[type], type);
  }
}, 900_000);

afterAll(() => disposeParams(params));

describe('Q4_K GGUF files', () => {
  it('hold Q4_K super-blocks, Q5_0 where rows are not whole super-blocks, Q8_0 for the output, as @huggingface/gguf reads them', async () => {
    const parsed = await gguf(paths.Q4_K, { allowLocalFile: true });
    const type = (name: string) => parsed.tensorInfos.find((t) => t.name === name)?.dtype;
    expect(type('blk.0.attn_q.weight')).toBe(GgmlType.Q4_K);
    expect(type('blk.1.ffn_up.weight')).toBe(GgmlType.Q4_K);
    expect(type('token_embd.weight')).toBe(GgmlType.Q4_K);
    expect(type('blk.0.ffn_down.weight')).toBe(GgmlType.Q5_0); // rows of 320
    expect(type('output.weight')).toBe(GgmlType.Q8_0);
    expect(type('blk.0.attn_norm.weight')).toBe(GgmlType.F32);
    expect((parsed.metadata as unknown as Record<string, unknown>)['general.file_type']).toBe(14);
    const ratio = statSync(paths.F32).size / statSync(paths.Q4_K).size;
    console.log(`Q4_K file ${statSync(paths.Q4_K).size} bytes, F32 ${statSync(paths.F32).size} (${ratio.toFixed(2)}x smaller)`);
    expect(ratio).toBeGreaterThan(4.5);
  });

  it('llama.cpp predicts what Weft predicts from the same Q4_K weights; perplexity stays within 5% of F32', async () => {
    const loaded = await loadGguf(paths.Q4_K, dir);
    try {
      expect(loaded.quantization).toBe('Q4_K');
      const ids = text.slice(0, 48);
      const weftQ4k = (await weftTopTokens(loaded.params, config, ids)).slice(0, -1);
      const weftF32 = (await weftTopTokens(params, config, ids)).slice(0, -1);
      const lc = await openInLlamaCpp(paths.Q4_K);
      const llamaQ4k = (await lc.topTokens(ids)).slice(0, -1);
      const greedy = await lc.greedy(ids.slice(0, 16), 24);
      await lc.dispose();
      const f32 = await openInLlamaCpp(paths.F32);
      const greedyF32 = await f32.greedy(ids.slice(0, 16), 24);
      await f32.dispose();
      const [pF32, pQ4k] = [await perplexity(params), await perplexity(loaded.params)];
      const n = weftQ4k.length;
      // The model must predict more than a couple of tokens, or agreeing would prove little.
      expect(new Set(weftF32).size, `distinct predictions ${new Set(weftF32).size}`).toBeGreaterThanOrEqual(8);
      console.log(`Q4_K: llama.cpp agrees with Weft's Q4_K at ${agreement(llamaQ4k, weftQ4k)}/${n}, with F32 at ${agreement(llamaQ4k, weftF32)}/${n}; ` +
        `greedy 24 tokens equal to F32's at ${agreement(greedy, greedyF32)}/24; ${new Set(weftF32).size} distinct predictions; perplexity F32 ${pF32.toFixed(4)}, Q4_K ${pQ4k.toFixed(4)}`);
      expect(agreement(llamaQ4k, weftQ4k)).toBeGreaterThanOrEqual(Math.ceil(0.85 * n));
      expect(agreement(llamaQ4k, weftF32)).toBeGreaterThanOrEqual(Math.ceil(0.8 * n));
      expect(pQ4k / pF32).toBeLessThan(1.05);
    } finally {
      disposeParams(loaded.params);
    }
  }, 600_000);

  it('a Q4_K file loads back in Weft within a 4-bit step of the weights, leaking no tensors', async () => {
    const before = tf.memory().numTensors;
    const loaded = await loadGguf(paths.Q4_K, dir);
    try {
      const w = (await params.get('h.0.mlp.up.weight')!.data()) as Float32Array; // stored Q4_K
      const back = (await loaded.params.get('h.0.mlp.up.weight')!.data()) as Float32Array;
      const range = Math.max(...w) - Math.min(...w);
      let worst = 0;
      for (let i = 0; i < back.length; i++) worst = Math.max(worst, Math.abs(back[i]! - w[i]!));
      expect(worst).toBeGreaterThan(0);
      expect(worst).toBeLessThan(range / 15);
    } finally {
      disposeParams(loaded.params);
    }
    expect(tf.memory().numTensors).toBe(before);
    await (await llamaCpp()).dispose();
  }, 120_000);
});
