import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tf, useBestBackend } from '../lib/backend.ts';
import { parameterCount } from '../lib/gpt/config.ts';
import { loadModelFolder, saveModelFolder } from '../lib/gpt/io.ts';
import { disposeParams, hiddenStates, initParams, lmLogits, type Params } from '../lib/gpt/model.ts';
import type { GptConfig } from '../lib/gpt/config.ts';
import { pruneHeads, pruneMlpNeurons } from '../lib/prune/structured.ts';
import { MODEL_FAMILIES, type ModelHandle } from '../sdk/index.ts';
import { fakeContext, paramsFor, runNode } from '../../test/fixtures/node-harness.ts';
import { textFile, tinyConfig, trainedTinyModel, wordsText } from '../../test/fixtures/tiny-lm.ts';
import { tempDir } from '../../test/helpers.ts';
import { maxDiff } from '../../test/support/compare.ts';
import prune from './index.ts';
import generate from '../generate/index.ts';

async function logits(params: Params, config: GptConfig, ids: number[]): Promise<Float32Array> {
  const t = tf.tidy(() => lmLogits(params, config, hiddenStates(params, config, tf.tensor2d(ids, [1, ids.length], 'int32'), { training: false })));
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}


describe('structured pruning, every family', () => {
  for (const family of MODEL_FAMILIES) {
    it(`${family}: removes the same units in every layer, shrinks the parameter count, and the saved folder gives the pruned weights' logits`, async () => {
      await useBestBackend();
      const config = tinyConfig(family, 64, 16);
      const params = initParams(config, 7);
      const ids = [1, 5, 9, 2, 40, 33, 7, 8];
      const before = await logits(params, config, ids);
      const mlp = await pruneMlpNeurons(params, config, 0.25);
      expect(mlp.config.intermediateSize).toBe(48);
      expect(mlp.kept.every((k) => k.length === 48)).toBe(true);
      let pruned = mlp.config;
      if (family !== 'gpt2') {
        // 4 query heads over 2 key/value heads: one query head leaves each group; GQA stays valid.
        const heads = await pruneHeads(params, pruned, 0.5);
        expect(heads.config).toMatchObject({ heads: 2, kvHeads: 2, headDim: 8 });
        pruned = heads.config;
      } else {
        await expect(pruneHeads(params, pruned, 0.5)).rejects.toThrow(/GPT-2 heads cannot be removed/);
      }
      expect(parameterCount(pruned)).toBeLessThan(parameterCount(config));
      const sizes = [...params.values()].reduce((n, v) => n + v.size, 0);
      expect(sizes).toBe(parameterCount(pruned));
      const inMemory = await logits(params, pruned, ids);
      expect(maxDiff(inMemory, before)).toBeGreaterThan(0);
      const dir = tempDir();
      const tokPath = join(dir, 'tok.json');
      const { writeTokenizer, byteLevelBpeJson } = await import('../lib/tokenizer.ts');
      writeTokenizer(tokPath, byteLevelBpeJson([], []));
      await saveModelFolder(dir, params, pruned, tokPath);
      const loaded = loadModelFolder(dir);
      expect(loaded.config).toMatchObject({ heads: pruned.heads, intermediateSize: pruned.intermediateSize });
      expect(maxDiff(await logits(loaded.params, loaded.config, ids), inMemory)).toBeLessThan(1e-5);
      disposeParams(loaded.params);
      disposeParams(params);
    }, 60_000);
  }

  it('with one query head per key/value head, whole key/value heads leave', async () => {
    await useBestBackend();
    const config = { ...tinyConfig('mistral', 64, 16), kvHeads: 4 };
    const params = initParams(config, 3);
    const r = await pruneHeads(params, config, 0.5);
    expect(r.config).toMatchObject({ heads: 2, kvHeads: 2 });
    expect(params.get('h.0.attn.k.weight')!.shape).toEqual([32, 16]);
    disposeParams(params);
  });
});

describe('prune node', () => {
  let model: ModelHandle;
  const text = textFile(wordsText(5000, 9));

  it('unstructured: every block matrix reaches the requested sparsity, and a recovery fine-tune lowers perplexity while keeping it, with no tensor leak', async () => {
    model = await trainedTinyModel('llama', wordsText(5000), 100);
    const counts: number[] = [];
    const ctx = fakeContext((p) => void (p.step > 2 && counts.push(tf.memory().numTensors)));
    const params = paramsFor(prune, { method: 'unstructured', sparsity: 0.7, recoverySteps: 30, batchSize: 8, evalWindows: 8, checkpointEvery: 0 });
    expect(prune.validate!(params as never, ['model', 'text'])).toEqual([]);
    const r = await runNode(prune, { model, text }, params, ctx);
    const m = r.metrics!;
    expect(m.sparsity).toBeCloseTo(0.7, 2);
    const perMatrix = readFileSync(join(ctx.artifactDir, 'sparsity.csv'), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
    expect(perMatrix.length).toBe(2 * 7);
    for (const s of perMatrix) expect(Math.abs(s - 0.7)).toBeLessThan(0.01);
    expect(m.perplexityAfterPruning).toBeGreaterThan(m.perplexityBefore!);
    expect(m.perplexityAfterRecovery).toBeLessThan(m.perplexityAfterPruning!);
    expect(m.nonZeroParameters).toBeLessThan(m.parameters!);
    console.log(`unstructured 70%: perplexity ${m.perplexityBefore!.toFixed(2)} -> ${m.perplexityAfterPruning!.toFixed(2)} after pruning -> ${m.perplexityAfterRecovery!.toFixed(2)} after 30 recovery steps`);
    expect(new Set(counts.slice(1, -1)).size).toBe(1);
    // The saved folder holds the zeros the recovery kept.
    const loaded = loadModelFolder(ctx.artifactDir);
    const q = (await loaded.params.get('h.0.attn.q.weight')!.data()) as Float32Array;
    expect(q.filter((x) => x === 0).length / q.length).toBeCloseTo(0.7, 2);
    disposeParams(loaded.params);
  }, 240_000);

  it('structured (MLP neurons and heads): the folder is smaller, reports the parameter counts, and Weft generates from it', async () => {
    const ctx = fakeContext();
    const r = await runNode(prune, { model, text }, paramsFor(prune, { method: 'mlp-neurons', sparsity: 0.5, evalWindows: 4 }), ctx);
    const out = r.outputs.model as ModelHandle;
    expect(out.config.intermediateSize).toBe(32);
    expect(r.metrics!.parameters).toBeLessThan(r.metrics!.parametersBefore!);
    expect(out.parameters).toBe(r.metrics!.parameters);
    expect(r.metrics!.removedPerLayer).toBe(32);
    expect(Number.isFinite(r.metrics!.perplexityAfterPruning)).toBe(true);
    const ctx2 = fakeContext();
    const h = await runNode(prune, { model: out, text }, paramsFor(prune, { method: 'attention-heads', sparsity: 0.5, evalWindows: 4 }), ctx2);
    const smaller = h.outputs.model as ModelHandle;
    expect(smaller.config).toMatchObject({ heads: 2, kvHeads: 2, intermediateSize: 32 });
    expect(smaller.parameters).toBeLessThan(out.parameters);
    const gen = await runNode(generate, { model: smaller }, paramsFor(generate, { prompt: 'the cat', maxTokens: 8, samples: 1, temperature: 0 }), fakeContext());
    expect(readFileSync((gen.outputs.text as { path: string }).path, 'utf8').length).toBeGreaterThan('the cat'.length);
  }, 120_000);

  it('a recovery fine-tune resumed from its checkpoint ends bit-identical to an uninterrupted one', async () => {
    const params = paramsFor(prune, { method: 'unstructured', sparsity: 0.5, recoverySteps: 12, batchSize: 4, evalWindows: 4, checkpointEvery: 6 });
    const whole = await runNode(prune, { model, text }, params, fakeContext());
    const ctx = fakeContext();
    const abort = new AbortController();
    // Steps 1-2 are the measurements; recovery step k reports step 2 + k. Stop after recovery step 7.
    const interrupted = { ...ctx, signal: abort.signal, progress: async (p: { step: number }) => void (p.step === 2 + 7 && abort.abort()) };
    await expect(runNode(prune, { model, text }, params, interrupted)).rejects.toThrow();
    expect(readdirSync(join(ctx.checkpointDir, 'recovery'))).toContain('step-00000006');
    const resumed = await runNode(prune, { model, text }, params, { ...ctx, signal: new AbortController().signal });
    for (const k of ['perplexityAfterRecovery', 'finalLoss', 'sparsity', 'nonZeroParameters']) expect(resumed.metrics![k], k).toBe(whole.metrics![k]);
  }, 120_000);
});
