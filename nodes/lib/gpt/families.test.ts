/**
 * Each family against transformers: tiny random models that transformers wrote (test/fixtures/hf,
 * made by make_fixtures.py) give, in Weft, the logits transformers computed for the same ids
 * (within 1e-4) and the same greedy continuation with the KV cache. Weft's own save of each writes
 * exactly the tensor names, shapes and config fields transformers wrote, and loads back unchanged.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.ts';
import { maxDiff, tensorShapes } from '../../../test/support/compare.ts';
import { tf, useBestBackend } from '../backend.ts';
import type { GptConfig } from './config.ts';
import { generate } from './generate.ts';
import { loadModelFolder, saveModelFolder } from './io.ts';
import { disposeParams, hiddenStates, lmLogits, type Params } from './model.ts';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/hf/', import.meta.url));

interface Reference {
  input_ids: number[];
  logits: number[];
  vocab: number;
  greedy: number[];
}

async function logitsOf(p: Params, c: GptConfig, ids: number[]): Promise<Float32Array> {
  const t = tf.tidy(() => lmLogits(p, c, hiddenStates(p, c, tf.tensor2d(ids, [1, ids.length], 'int32'), { training: false })));
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}

const families = readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

describe('model families against transformers', () => {
  it('has a fixture for every family', () => {
    const types = families.map((f) => JSON.parse(readFileSync(join(FIXTURES, f, 'config.json'), 'utf8')).model_type);
    expect(new Set(types)).toEqual(new Set(['gpt2', 'llama', 'mistral', 'qwen2', 'qwen3']));
  });

  for (const family of families) {
    it(`${family}: same logits and greedy tokens as transformers; saves what transformers saves`, async () => {
      await useBestBackend();
      const dir = join(FIXTURES, family);
      const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
      const before = tf.memory().numTensors;
      const { config, params } = loadModelFolder(dir);
      try {
        // One tensor per weight: loading leaves no second copy or stray handle behind.
        expect(tf.memory().numTensors - before).toBe(params.size);
        expect(config.vocabSize).toBe(ref.vocab);
        const logits = await logitsOf(params, config, ref.input_ids);
        expect(logits.length).toBe(ref.logits.length);
        expect(maxDiff(logits, ref.logits)).toBeLessThan(1e-4);
        const greedy = await generate(params, config, ref.input_ids, { maxTokens: ref.greedy.length, temperature: 0, topK: 0, topP: 1, seed: 1 });
        expect(greedy).toEqual(ref.greedy);

        const out = tempDir();
        await saveModelFolder(out, params, config, join(dir, 'tokenizer.json'));
        expect(tensorShapes(out)).toEqual(tensorShapes(dir));
        const theirs = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
        const ours = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
        for (const key of ['model_type', 'architectures', 'vocab_size', 'tie_word_embeddings', 'num_key_value_heads', 'head_dim', 'intermediate_size', 'activation_function', 'n_inner']) {
          if (key in theirs) expect([key, ours[key]]).toEqual([key, theirs[key]]);
        }
        const again = loadModelFolder(out);
        try {
          expect(maxDiff(await logitsOf(again.params, again.config, ref.input_ids), logits)).toBe(0);
        } finally {
          disposeParams(again.params);
        }
      } finally {
        disposeParams(params);
      }
    });
  }
});
