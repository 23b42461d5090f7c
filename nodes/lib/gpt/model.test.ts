import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.ts';
import { tf, useBestBackend } from '../backend.ts';
import { byteLevelBpeJson, writeTokenizer } from '../tokenizer.ts';
import type { GptConfig } from './config.ts';
import { generate } from './generate.ts';
import { loadModelFolder, saveModelFolder } from './io.ts';
import { disposeParams, hiddenStates, initParams, lmLogits, type Params } from './model.ts';

const config: GptConfig = { vocabSize: 257, contextLength: 24, width: 32, layers: 2, heads: 4, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 };

async function logitsOf(p: Params, ids: number[]): Promise<Float32Array> {
  const t = tf.tidy(() => lmLogits(p, config, hiddenStates(p, config, tf.tensor2d(ids, [1, ids.length], 'int32'), { training: false })));
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}

/** Greedy decoding by recomputing the whole sequence each step: the reference for the KV cache. */
async function greedyNoCache(p: Params, prompt: number[], n: number): Promise<number[]> {
  const seq = [...prompt];
  for (let i = 0; i < n; i++) {
    const logits = await logitsOf(p, seq);
    const last = logits.subarray((seq.length - 1) * config.vocabSize);
    seq.push(last.indexOf(Math.max(...last)));
  }
  return seq.slice(prompt.length);
}

describe('GPT model', () => {
  it('saves to a Hugging Face folder and loads back to identical outputs', async () => {
    await useBestBackend();
    const dir = tempDir();
    writeTokenizer(join(dir, 'tok.json'), byteLevelBpeJson([], []));
    const p = initParams(config, 3);
    const before = await logitsOf(p, [1, 2, 3, 4]);
    await saveModelFolder(dir, p, config, join(dir, 'tok.json'));
    disposeParams(p);
    const hf = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(hf).toMatchObject({ model_type: 'gpt2', n_embd: 32, n_layer: 2, n_head: 4, vocab_size: 257, n_positions: 24 });
    const loaded = loadModelFolder(dir);
    expect([...(await logitsOf(loaded.params, [1, 2, 3, 4]))]).toEqual([...before]);
    disposeParams(loaded.params);
  });

  it('refuses a model whose weights do not match its config, naming the tensor', async () => {
    await useBestBackend();
    const dir = tempDir();
    writeTokenizer(join(dir, 'tok.json'), byteLevelBpeJson([], []));
    const p = initParams(config, 3);
    await saveModelFolder(dir, p, config, join(dir, 'tok.json'));
    disposeParams(p);
    const hf = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...hf, n_embd: 64 }));
    expect(() => loadModelFolder(dir)).toThrow(/tensor "transformer.wte.weight" has shape \[257,32\], config.json implies \[257,64\]/);
    const bytes = readFileSync(join(dir, 'model.safetensors'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(hf));
    writeFileSync(join(dir, 'model.safetensors'), bytes.subarray(0, bytes.length - 100));
    expect(() => loadModelFolder(dir)).toThrow(/model\.safetensors: not a valid safetensors file: .*truncated/);
  });

  it('generates with a KV cache exactly what full recomputation gives, without leaking tensors', async () => {
    await useBestBackend();
    const p = initParams(config, 11);
    const reference = await greedyNoCache(p, [5, 6, 7], 12);
    const before = tf.memory().numTensors;
    const cached = await generate(p, config, [5, 6, 7], { maxTokens: 12, temperature: 0, topK: 0, topP: 1, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(cached).toEqual(reference);
    const sampledA = await generate(p, config, [5], { maxTokens: 10, temperature: 1, topK: 20, topP: 0.9, seed: 42 });
    const sampledB = await generate(p, config, [5], { maxTokens: 10, temperature: 1, topK: 20, topP: 0.9, seed: 42 });
    expect(sampledA).toEqual(sampledB);
    disposeParams(p);
  });
});
