/**
 * Masked-LM encoders against transformers: tiny random BERT and RoBERTa folders that transformers
 * wrote (test/fixtures/hf-encoders, made by make_fixtures.py) give, in Weft, the logits transformers
 * computed for the same rows, a right-padded one among them (within 1e-4). Weft's own save writes
 * exactly the tensor names and shapes transformers wrote, and loads back unchanged. Folders Weft
 * wrote before BERT (model_type "weft-encoder") still load and run.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.ts';
import { maxDiff, tensorShapes } from '../../../test/support/compare.ts';
import { checkModelFolder } from '../../model/index.ts';
import { tf, useBestBackend } from '../backend.ts';
import { encodeSafetensors, SafetensorsFile } from '../safetensors.ts';
import { parameterCount, type GptConfig } from './config.ts';
import { loadModelFolder, saveModelFolder } from './io.ts';
import { classifierLogits, disposeParams, hiddenStates, initParams, lmLogits, type Params } from './model.ts';
import { MemoryTokens } from '../token-source.ts';
import { trainLanguageModel, type LmTrainOptions } from '../train/lm-trainer.ts';
import { DEFAULT_OPTIMIZER } from '../train/optimizer.ts';
import { DEFAULT_SCHEDULE } from '../train/schedule.ts';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/hf-encoders/', import.meta.url));

interface Reference {
  input_ids: number[][];
  attention_mask: number[][];
  shape: number[];
  parameters: number;
  logits: number[];
}

/** Token logits (masked LM) or class logits (classifier) of right-padded rows. */
async function logitsOf(p: Params, c: GptConfig, ids: number[][], mask: number[][]): Promise<Float32Array> {
  const lengths = Int32Array.from(mask, (row) => row.reduce((a, b) => a + b, 0));
  const t = tf.tidy(() => {
    const h = hiddenStates(p, c, tf.tensor2d(ids, undefined, 'int32'), { training: false, lengths });
    return c.numClasses ? classifierLogits(p, c, h, lengths.map((n) => n - 1)) : lmLogits(p, c, h);
  });
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}

const fixtures = readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

describe('masked-LM encoders against transformers', () => {
  it('has BERT masked-LM, BERT classifier and RoBERTa fixtures', () => {
    const archs = fixtures.map((f) => (JSON.parse(readFileSync(join(FIXTURES, f, 'config.json'), 'utf8')) as { architectures: string[] }).architectures[0]);
    expect(new Set(archs)).toEqual(new Set(['BertForMaskedLM', 'BertForSequenceClassification', 'RobertaForMaskedLM']));
  });

  for (const name of fixtures) {
    it(`${name}: same logits as transformers (a padded row too); saves what transformers saves`, async () => {
      await useBestBackend();
      const dir = join(FIXTURES, name);
      const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
      const before = tf.memory().numTensors;
      const { config, params } = loadModelFolder(dir);
      try {
        expect(tf.memory().numTensors - before).toBe(params.size);
        expect(config.causal).toBe(false);
        expect(parameterCount(config)).toBe(ref.parameters);
        // The mask token comes from the tokenizer's files, as config.json does not name it.
        expect(config.maskTokenId).toBe(4);
        const logits = await logitsOf(params, config, ref.input_ids, ref.attention_mask);
        expect(logits.length).toBe(ref.logits.length);
        expect(maxDiff(logits, ref.logits)).toBeLessThan(1e-4);

        const out = tempDir();
        await saveModelFolder(out, params, config, join(dir, 'tokenizer.json'));
        expect(tensorShapes(out)).toEqual(tensorShapes(dir));
        const theirs = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
        const ours = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
        for (const key of ['model_type', 'architectures', 'vocab_size', 'hidden_size', 'max_position_embeddings', 'type_vocab_size', 'hidden_act', 'tie_word_embeddings', 'pad_token_id', 'layer_norm_eps', 'id2label']) {
          expect([key, ours[key]]).toEqual([key, theirs[key]]);
        }
        const tokenizerConfig = JSON.parse(readFileSync(join(out, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
        expect(tokenizerConfig).toMatchObject({ mask_token: '[MASK]', pad_token: '[PAD]' });
        const again = loadModelFolder(out);
        try {
          expect(maxDiff(await logitsOf(again.params, again.config, ref.input_ids, ref.attention_mask), logits)).toBe(0);
        } finally {
          disposeParams(again.params);
        }
      } finally {
        disposeParams(params);
      }
    });
  }

  it('padding never changes a row: a padded row gives the logits of the same row alone', async () => {
    await useBestBackend();
    const { config, params } = loadModelFolder(join(FIXTURES, 'bert-classifier'));
    try {
      const ref = JSON.parse(readFileSync(join(FIXTURES, 'bert-classifier', 'reference.json'), 'utf8')) as Reference;
      const n = ref.attention_mask[1]!.reduce((a, b) => a + b, 0);
      const alone = await logitsOf(params, config, [ref.input_ids[1]!.slice(0, n)], [ref.attention_mask[1]!.slice(0, n)]);
      const padded = await logitsOf(params, config, ref.input_ids, ref.attention_mask);
      expect(maxDiff(alone, padded.slice(3, 6))).toBeLessThan(1e-5);
    } finally {
      disposeParams(params);
    }
  });

  it('reads a BERT checkpoint as older tools wrote it: no "bert." prefix, LayerNorm gamma and beta', async () => {
    await useBestBackend();
    const src = join(FIXTURES, 'bert-mlm');
    const dir = tempDir();
    const file = new SafetensorsFile(join(src, 'model.safetensors'));
    const renamed = new Map([...file.entries.keys()].map((name) => {
      const t = file.read(name);
      const old = name.replace(/^bert\./, '').replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta');
      return [old, { shape: t.shape, data: t.data as Float32Array }];
    }));
    file.close();
    expect([...renamed.keys()]).toContain('embeddings.LayerNorm.gamma');
    writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(renamed, { format: 'pt' }));
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) writeFileSync(join(dir, f), readFileSync(join(src, f)));
    const ref = JSON.parse(readFileSync(join(src, 'reference.json'), 'utf8')) as Reference;
    const { config, params } = loadModelFolder(dir);
    try {
      expect(maxDiff(await logitsOf(params, config, ref.input_ids, ref.attention_mask), ref.logits)).toBeLessThan(1e-4);
    } finally {
      disposeParams(params);
    }
  });

  it('refuses BERT options it does not compute at validation, naming the file and the field', () => {
    for (const [field, value] of [['position_embedding_type', 'relative_key'], ['is_decoder', true], ['hidden_act', 'mish']] as const) {
      const dir = tempDir();
      for (const f of ['model.safetensors', 'tokenizer.json']) writeFileSync(join(dir, f), readFileSync(join(FIXTURES, 'bert-mlm', f)));
      const config = JSON.parse(readFileSync(join(FIXTURES, 'bert-mlm', 'config.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, [field]: value }));
      const problems = checkModelFolder(dir);
      expect(problems).toHaveLength(1);
      expect(problems[0]!.message).toContain(join(dir, 'config.json'));
      expect(problems[0]!.message).toContain(field);
    }
  });

  it('a folder Weft wrote before BERT (pre-LN "weft-encoder") still loads and runs unchanged', async () => {
    await useBestBackend();
    const old: GptConfig = { vocabSize: 40, contextLength: 16, width: 32, layers: 2, heads: 2, dropout: 0, causal: false, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: 39 };
    const dir = tempDir();
    const params = initParams(old, 7);
    const tokenizer = join(FIXTURES, 'bert-mlm', 'tokenizer.json');
    await saveModelFolder(dir, params, old, tokenizer);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toMatchObject({ model_type: 'weft-encoder', architectures: ['WeftEncoderForMaskedLM'] });
    const ids = [[1, 5, 39, 7, 9, 11]];
    const mask = [[1, 1, 1, 1, 1, 1]];
    const loaded = loadModelFolder(dir);
    try {
      expect(loaded.config).toMatchObject({ family: 'gpt2', causal: false, maskTokenId: 39 });
      expect(maxDiff(await logitsOf(loaded.params, loaded.config, ids, mask), await logitsOf(params, old, ids, mask))).toBe(0);
    } finally {
      disposeParams(loaded.params);
      disposeParams(params);
    }
  });

  it('BERT masked-LM training with dropout: tensors flat across steps, bit-identical after resuming from a checkpoint', async () => {
    await useBestBackend();
    const bert: GptConfig = {
      family: 'bert', vocabSize: 40, contextLength: 16, width: 32, layers: 2, heads: 2, dropout: 0.1, causal: false, tiedEmbeddings: true, layerNormEps: 1e-12,
      numClasses: 0, maskTokenId: 39, intermediateSize: 64, activation: 'gelu', typeVocabSize: 2,
    };
    const runs = new Int32Array(3000).map((_, i) => (Math.floor(i / 16) * 7) % 30);
    const options = (over: Partial<LmTrainOptions>, seed = 5): LmTrainOptions => ({
      config: bert, params: initParams(bert, seed), train: new MemoryTokens(runs), objective: 'masked', maskProbability: 0.25, batchSize: 4, context: 16, steps: 12, gradAccum: 1,
      evalEvery: 100, evalBatches: 1, checkpointEvery: 4, keepCheckpoints: 2, checkpointDir: tempDir(), optimizer: DEFAULT_OPTIMIZER, schedule: { ...DEFAULT_SCHEDULE, warmupSteps: 2 },
      seed, progress: async () => undefined, log: () => undefined, ...over,
    });
    const counts: number[] = [];
    const straight = options({ progress: async () => void counts.push(tf.memory().numTensors) });
    const full = await trainLanguageModel(straight);
    disposeParams(straight.params);
    expect(new Set(counts.slice(1)).size).toBe(1);

    const dir = tempDir();
    const abort = new AbortController();
    const first = options({ checkpointDir: dir, signal: abort.signal, progress: async (step) => (step === 6 ? abort.abort() : undefined) });
    await expect(trainLanguageModel(first)).rejects.toThrow(/cancelled/);
    disposeParams(first.params);
    const second = { ...options({ checkpointDir: dir }, 999), seed: 5 };
    const resumed = await trainLanguageModel(second);
    disposeParams(second.params);
    expect(resumed.resumedFrom).toBe(4);
    expect(resumed.history).toEqual(full.history);
    expect(resumed.finalLoss).toBe(full.finalLoss);
  });
});
