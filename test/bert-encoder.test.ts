/**
 * A BERT encoder through Weft's nodes, as a user builds it: the Model node's "encoder" makes a
 * BERT-layout folder; masked-LM pretraining teaches it to fill in masks (Evaluate's masked-lm
 * accuracy rises well above chance); classification fine-tuning, full and LoRA, learns labels
 * (validation accuracy above chance), leaks no tensor, and reruns bit-identically with its seed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import evalNode from '../nodes/eval/index.ts';
import modelNode from '../nodes/model/index.ts';
import pretrainNode from '../nodes/train.pretrain/index.ts';
import sftNode from '../nodes/train.sft/index.ts';
import { tf } from '../nodes/lib/backend.ts';
import { DatasetWriter, type DataRecord, type DatasetHandle } from '../nodes/lib/dataset.ts';
import { byteLevelBpeJson, writeTokenizer } from '../nodes/lib/tokenizer.ts';
import { Prng } from '../nodes/lib/prng.ts';
import { PlaygroundSession } from '../nodes/lib/playground/session.ts';
import type { ModelHandle, TokenizerHandle } from '../nodes/sdk/index.ts';
import type { GptConfig } from '../nodes/lib/gpt/config.ts';
import { saveModelFolder } from '../nodes/lib/gpt/io.ts';
import { disposeParams, initParams } from '../nodes/lib/gpt/model.ts';
import { fakeContext, paramsFor, runNode } from './fixtures/node-harness.ts';
import { tempDir } from './helpers.ts';

const SPECIALS = ['<|endoftext|>', '<mask>', '<pad>'];

function tokenizer(): TokenizerHandle {
  const path = join(tempDir(), 'tokenizer.json');
  writeTokenizer(path, byteLevelBpeJson([], SPECIALS));
  return { kind: 'tokenizer', path, vocabSize: 256 + SPECIALS.length, type: 'byte-level', specialTokens: Object.fromEntries(SPECIALS.map((s, i) => [s, 256 + i])) };
}

async function dataset(splits: Record<'train' | 'validation', DataRecord[]>): Promise<DatasetHandle> {
  const w = new DatasetWriter(tempDir());
  for (const [split, rows] of Object.entries(splits)) for (const r of rows) await w.write(split as 'train' | 'validation', r);
  return w.close();
}

/**
 * Long runs of one letter: the letters around a masked one, on either side, give it away to a model
 * that looks both ways; without them it is one of eight.
 */
function patterned(rng: Prng, n: number): string {
  const letters = 'abcdefgh';
  return Array.from({ length: n }, () => letters[rng.int(letters.length)]!.repeat(24 + rng.int(16))).join(' ');
}

/** Two classes told apart by which letters a text is made of. */
function labelled(rng: Prng, n: number): DataRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const label = i % 2 ? 'vowels' : 'consonants';
    const letters = label === 'vowels' ? 'aeiou' : 'bcdfg';
    return { text: Array.from({ length: 6 + rng.int(10) }, () => letters[rng.int(5)]).join(''), label };
  });
}

async function newEncoder(dropout = 0): Promise<ModelHandle> {
  const ctx = fakeContext();
  const r = await runNode(modelNode, { tokenizer: tokenizer() }, paramsFor(modelNode, { architecture: 'encoder', layers: 2, heads: 2, width: 32, context: 32, dropout }), ctx);
  return r.outputs.model as ModelHandle;
}

describe('BERT encoders through the nodes', () => {
  it('the Model node writes a BERT masked LM; pretraining makes it fill in masks well above chance', async () => {
    const model = await newEncoder();
    const config = JSON.parse(readFileSync(join(model.dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ model_type: 'bert', architectures: ['BertForMaskedLM'], hidden_act: 'gelu', pad_token_id: 258 });
    expect(JSON.parse(readFileSync(join(model.dir, 'tokenizer_config.json'), 'utf8'))).toMatchObject({ mask_token: '<mask>', pad_token: '<pad>' });

    const rng = new Prng(3);
    const data = await dataset({ train: [{ text: patterned(rng, 200) }], validation: [{ text: patterned(rng, 60) }] });
    const score = async (m: ModelHandle) =>
      (await runNode(evalNode, { model: m, dataset: data }, paramsFor(evalNode, { metric: 'masked-lm', maxTokens: 2000, batchSize: 8 }), fakeContext())).metrics as Record<string, number>;
    const before = await score(model);

    const losses: number[] = [];
    const ctx = fakeContext((p) => p.metrics?.loss !== undefined && losses.push(p.metrics.loss));
    const trained = await runNode(pretrainNode, { model, dataset: data }, paramsFor(pretrainNode, { objective: 'masked', maskProbability: 0.25, steps: 200, batchSize: 8, context: 32, evalEvery: 100, checkpointEvery: 0 }), ctx);
    const after = await score(trained.outputs.model as ModelHandle);
    expect(losses.slice(-10).reduce((a, b) => a + b) / 10).toBeLessThan(losses.slice(0, 10).reduce((a, b) => a + b) / 10 - 1);
    // 259 tokens, of which the text uses 9; a letter alone is one of eight.
    expect(before.accuracy).toBeLessThan(0.1);
    // Measured 0.67 after 200 steps (seed 1); a model blind to context stays near 1/8.
    expect(after.accuracy).toBeGreaterThan(0.45);
    expect(after.loss).toBeLessThan(before.loss! - 1);
    expect(after.maskedTokens).toBeGreaterThan(100);
    // The playground's fill-in mode on the trained BERT: a masked letter inside a run is that letter.
    const session = new PlaygroundSession();
    try {
      const stats = await session.generate({ modelDir: (trained.outputs.model as ModelHandle).dir, mode: 'fill-mask', prompt: 'cccccccccccc<mask>cccccccccccc', settings: { maxTokens: 1, temperature: 0, topK: 0, topP: 1, seed: 0 } }, () => undefined, new AbortController().signal);
      expect(stats.prediction!.masks![0]!.candidates[0]!.token).toBe('c');
    } finally {
      session.dispose();
    }
  }, 240_000);

  for (const method of ['full', 'lora'] as const) {
    it(`classification fine-tuning (${method}) of a BERT encoder learns the labels, leaks no tensor, reruns identically`, async () => {
      // With dropout (in the layers and on the pooled vector, as BERT fine-tunes): still a bit-identical rerun.
      const model = await newEncoder(0.1);
      const rng = new Prng(5);
      const data = await dataset({ train: labelled(rng, 64), validation: labelled(rng, 24) });
      const params = paramsFor(sftNode, { mode: 'classification', method, steps: method === 'lora' ? 80 : 50, batchSize: 8, evalEvery: 25, checkpointEvery: 0, loraRank: 4, loraTargets: 'attn.q,attn.v,mlp.c_fc' });
      const tensorsBefore = tf.memory().numTensors;
      const ctx = fakeContext();
      const r = await runNode(sftNode, { model, dataset: data }, params, ctx);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      const metrics = r.metrics as Record<string, number>;
      expect(metrics.valAccuracy).toBeGreaterThan(0.8);
      const out = r.outputs.model as ModelHandle;
      expect(JSON.parse(readFileSync(join(out.dir, 'config.json'), 'utf8'))).toMatchObject({ model_type: 'bert', architectures: ['BertForSequenceClassification'], id2label: { 0: 'consonants', 1: 'vowels' } });
      if (method === 'lora') {
        const adapter = JSON.parse(readFileSync(join(ctx.artifactDir, 'adapter', 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
        expect(adapter).toMatchObject({ task_type: 'SEQ_CLS', modules_to_save: ['classifier', 'pooler'] });
      } else expect(existsSync(join(ctx.artifactDir, 'adapter'))).toBe(false);
      // Evaluate reads the classifier back: the same accuracy on the same split.
      const evaluated = await runNode(evalNode, { model: out, dataset: data }, paramsFor(evalNode, { metric: 'classification' }), fakeContext());
      expect((evaluated.metrics as Record<string, number>).accuracy).toBeCloseTo(metrics.valAccuracy!, 6);
      const again = await runNode(sftNode, { model, dataset: data }, params, fakeContext());
      expect((again.metrics as Record<string, number>).finalLoss).toBe(metrics.finalLoss);
    }, 240_000);
  }

  it('an encoder from before BERT (weft-encoder) is told apart: chat refuses any encoder, classification names what to use', async () => {
    const old: GptConfig = { vocabSize: 259, contextLength: 32, width: 32, layers: 1, heads: 2, dropout: 0, causal: false, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: 257 };
    const dir = tempDir();
    const params = initParams(old, 1);
    await saveModelFolder(dir, params, old, tokenizer().path);
    disposeParams(params);
    const rng = new Prng(7);
    const data = await dataset({ train: labelled(rng, 8), validation: labelled(rng, 4) });
    const model = { kind: 'model', dir };
    await expect(runNode(sftNode, { model, dataset: data }, paramsFor(sftNode, { mode: 'classification', steps: 1 }), fakeContext())).rejects.toThrow(/weft-encoder.*BERT or RoBERTa/);
    await expect(runNode(sftNode, { model: await newEncoder(), dataset: data }, paramsFor(sftNode, { mode: 'chat', steps: 1 }), fakeContext())).rejects.toThrow(/chat fine-tuning needs a decoder/);
  });
});
