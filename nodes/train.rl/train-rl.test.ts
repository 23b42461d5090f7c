/**
 * train.rl on a tiny model briefly fine-tuned to copy three-letter words: GRPO and PPO raise a reward
 * on held-out prompts above the starting model's, a reward model's single logit is the reward, a
 * resumed run ends bit-identical to an uninterrupted one, tensors stay flat, cancel lands within a step.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.ts';
import { fakeContext, paramsFor, runNode } from '../../test/fixtures/node-harness.ts';
import { tf } from '../lib/backend.ts';
import type { DatasetHandle } from '../lib/dataset.ts';
import { loadModelFolder, saveModelFolder } from '../lib/gpt/io.ts';
import { disposeParams, hiddenStates, initParams, lmLogits, newVariable } from '../lib/gpt/model.ts';
import type { GptConfig } from '../lib/gpt/config.ts';
import { openModelInput } from '../lib/model-input.ts';
import { modelReward } from '../lib/rl/rewards.ts';
import type { ModelHandle, NodeContext, ParamValue, Progress } from '../sdk/index.ts';
import trainRl from './index.ts';
import { fineTunedModel, TINY, tokenizerFile, wordDataset } from './rl-fixture.ts';

const FORMAT = '^[a-f]{3}$';
const schedule = (lr: number) => ({ kind: 'scheduler' as const, settings: { kind: 'constant' as const, lr, warmupSteps: 0, minLrRatio: 0.1, stepSize: 1000, gamma: 0.5 } });

let dataset: DatasetHandle;
let sft: ModelHandle;
beforeAll(async () => {
  const dir = tempDir();
  dataset = await wordDataset(join(dir, 'data'), 'copy');
  // 40 steps: the model has begun to answer in letters, often not three of them.
  sft = await fineTunedModel(join(dir, 'sft'), dataset, 40);
}, 300_000);

function withSignal(ctx: ReturnType<typeof fakeContext>, signal: AbortSignal): ReturnType<typeof fakeContext> {
  return Object.assign(ctx, { signal });
}

async function rl(overrides: Record<string, ParamValue>, opts: { ctx?: ReturnType<typeof fakeContext>; onProgress?: (p: Progress) => void; lr?: number; inputs?: Record<string, unknown> } = {}) {
  const seen: Progress[] = [];
  const ctx = opts.ctx ?? fakeContext();
  ctx.progress = async (p) => {
    seen.push(p);
    opts.onProgress?.(p);
  };
  const params = paramsFor(trainRl, { promptsPerStep: 8, groupSize: 8, maxNewTokens: 5, evalPrompts: 40, evalTemperature: 1, evalSamples: 4, checkpointEvery: 0, reward: 'regex', pattern: FORMAT, ...overrides });
  const problems = trainRl.validate?.(params as never, Object.keys({ model: 1, dataset: 1, scheduler: 1, ...opts.inputs })) ?? [];
  if (problems.length) throw new Error(JSON.stringify(problems));
  const result = await runNode(trainRl, { model: sft, dataset, scheduler: schedule(opts.lr ?? 2e-3), ...opts.inputs }, params, ctx);
  return { result, ctx, seen, values: result.metrics! };
}

describe('train.rl', () => {
  it('GRPO raises the held-out reward (a format rule) well above the fine-tuned model, reports KL, keeps tensors flat', async () => {
    const start = tf.memory().numTensors;
    const counts: number[] = [];
    const { values, seen, ctx, result } = await rl({ algorithm: 'grpo', steps: 20 }, { onProgress: () => counts.push(tf.memory().numTensors) });
    expect(values.rewardAfter).toBeGreaterThan(values.rewardBefore! + 0.15);
    expect(values.kl).toBeGreaterThan(0);
    expect(Number.isFinite(values.kl)).toBe(true);
    // Every step reports what a person watches.
    for (const p of seen) for (const k of ['reward', 'kl', 'entropy', 'responseLength', 'clipFraction', 'loss', 'lr']) expect(Number.isFinite(p.metrics![k]), k).toBe(true);
    expect(seen[0]!.metrics!.kl).toBeCloseTo(0, 5); // the first batch is sampled by the reference itself
    // Tensors: the same count after every step, and back where they began once the node returns.
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(start);
    // Readable tables: held-out responses before and after, sampled responses during training, per-step metrics.
    const table = JSON.parse(readFileSync(join(ctx.artifactDir, 'samples.json'), 'utf8')) as Array<Record<string, unknown>>;
    expect(table).toHaveLength(40);
    expect(Object.keys(table[0]!)).toEqual(['prompt', 'before', 'rewardBefore', 'after', 'rewardAfter']);
    expect(JSON.parse(readFileSync(join(ctx.artifactDir, 'rollouts.json'), 'utf8')).length).toBeGreaterThan(1);
    expect(readFileSync(join(ctx.artifactDir, 'history.csv'), 'utf8').trim().split('\n')).toHaveLength(21);
    expect(ctx.logs.some((l) => /step 10: ".*=" -> /.test(l))).toBe(true);
    // The aligned model is an ordinary model folder, the same shape as the input.
    const out = result.outputs.model as ModelHandle;
    const loaded = loadModelFolder(out.dir);
    expect([...loaded.params.keys()].sort()).toEqual([...loadModelFolder(sft.dir).params.keys()].sort());
    disposeParams(loaded.params);
  }, 300_000);

  it('PPO (value head, GAE, clipped objective) raises the same reward', async () => {
    const { values } = await rl({ algorithm: 'ppo', steps: 20, updatesPerBatch: 2 });
    expect(values.rewardAfter).toBeGreaterThan(values.rewardBefore! + 0.1);
    expect(Number.isFinite(values.valueLoss)).toBe(true);
  }, 300_000);

  it('resumes from a checkpoint bit-identically (PPO with LoRA: adapters, value head and optimizer restored)', async () => {
    const settings = { algorithm: 'ppo', method: 'lora', loraTargets: 'attn.q,attn.v,mlp.c_fc', steps: 4, promptsPerStep: 4, groupSize: 4, evalPrompts: 8, checkpointEvery: 2 } as const;
    const whole = await rl(settings);
    const ctl = new AbortController();
    const ctx = withSignal(fakeContext(), ctl.signal);
    await expect(rl(settings, { ctx, onProgress: (p) => p.step === 2 && ctl.abort() })).rejects.toThrow(/cancelled/);
    const resumed = await rl(settings, { ctx: withSignal(ctx, new AbortController().signal) });
    expect(resumed.ctx.logs.some((l) => l.includes('resumed from the checkpoint at step 2'))).toBe(true);
    expect(resumed.seen.map((p) => p.step)).toEqual([3, 4]);
    const bytes = (r: typeof whole) => readFileSync(join((r.result.outputs.model as ModelHandle).dir, 'model.safetensors'));
    expect(bytes(resumed).equals(bytes(whole))).toBe(true);
    expect(readFileSync(join(resumed.ctx.artifactDir, 'history.csv'), 'utf8')).toBe(readFileSync(join(whole.ctx.artifactDir, 'history.csv'), 'utf8'));
    expect(resumed.values).toEqual(whole.values);
  }, 300_000);

  it('cancel lands within a step: nothing of the cancelled step is reported, and no tensor is left', async () => {
    const start = tf.memory().numTensors;
    const ctl = new AbortController();
    const ctx = withSignal(fakeContext(), ctl.signal);
    // Abort as soon as step 2 has begun (the next turn of the event loop): step 2 must not finish.
    const steps: number[] = [];
    const run = rl({ algorithm: 'grpo', steps: 5, promptsPerStep: 4, groupSize: 4, evalPrompts: 4 }, {
      ctx,
      onProgress: (p) => {
        steps.push(p.step);
        if (p.step === 1) setImmediate(() => ctl.abort());
      },
    });
    await expect(run).rejects.toThrow(/cancelled/);
    expect(steps).toEqual([1]);
    expect(tf.memory().numTensors).toBe(start);
  }, 300_000);

  it('a reward model: its single logit at the last token before any padding is the reward; a head of two classes is refused', async () => {
    // A reward model whose score is known: the fine-tuned body with a one-class head that reads the
    // logit of the letter "a" (the tied embedding's row), so the reward is that next-token logit.
    const dir = tempDir();
    const { config, params } = loadModelFolder(sft.dir);
    const aId = 'a'.charCodeAt(0);
    const row = params.get('wte.weight')!.slice([aId, 0], [1, config.width]);
    params.set('score.weight', newVariable(() => tf.transpose(row)));
    row.dispose();
    const rmConfig: GptConfig = { ...config, numClasses: 1, labels: ['reward'] };
    const rmHandle = await saveModelFolder(dir, params, rmConfig, join(sft.dir, 'tokenizer.json'));
    disposeParams(params);
    const rm = await openModelInput(rmHandle);
    try {
      const texts = ['abc=abc<|endoftext|>', 'fed=de', 'aaa=aaa<|endoftext|>'];
      const scores = await modelReward(rm)(texts.map((t) => ({ prompt: t.slice(0, 4), response: '', responseWithEnd: t.slice(4), record: {} })));
      for (const [i, text] of texts.entries()) {
        const ids = await rm.tok.encode(text);
        // The end-of-text a response stops with is the pad token here: the reward is read before it, as
        // the Reward model node trains (and transformers reads) it, not on a position it never learned.
        const at = ids.at(-1) === rm.tok.specials['<|endoftext|>'] ? ids.length - 2 : ids.length - 1;
        expect(at).toBe(text.endsWith('<|endoftext|>') ? text.length - '<|endoftext|>'.length - 1 : text.length - 1);
        const logit = tf.tidy(() => lmLogits(rm.params, rm.config, tf.slice(hiddenStates(rm.params, rm.config, tf.tensor2d([ids], [1, ids.length], 'int32'), { training: false }), [at, 0], [1, rm.config.width])));
        const expected = (await logit.data())[aId]!;
        logit.dispose();
        expect(scores[i]).toBeCloseTo(expected, 4);
      }
    } finally {
      rm.dispose();
    }
    const { values } = await rl({ reward: 'model', steps: 2, promptsPerStep: 4, groupSize: 4, evalPrompts: 8 }, { inputs: { reward: rmHandle } });
    expect(Number.isFinite(values.rewardBefore) && Number.isFinite(values.rewardAfter)).toBe(true);

    const two = { ...rmHandle, config: { ...rmHandle.config, numClasses: 2 } };
    await expect(rl({ reward: 'model', steps: 1 }, { inputs: { reward: two } })).rejects.toThrow(/one-class head \(numClasses 1.*this one has 2 classes/);
  }, 300_000);

  it('a check reward scores the same held-out responses independently and changes nothing in training', async () => {
    const settings = { algorithm: 'grpo', steps: 3, promptsPerStep: 4, groupSize: 4, evalPrompts: 40, evalTemperature: 0 } as const;
    const plain = await rl(settings);
    const checked = await rl({ ...settings, checkReward: 'exact-match' });
    // Trained on the regex reward alone: the same weights and the same rewards with or without the check.
    const bytes = (r: typeof plain) => readFileSync(join((r.result.outputs.model as ModelHandle).dir, 'model.safetensors'));
    expect(bytes(checked).equals(bytes(plain))).toBe(true);
    expect(checked.values.rewardAfter).toBe(plain.values.rewardAfter);
    expect(plain.values.checkBefore).toBeUndefined();
    // The check is exact match of the greedy held-out responses, recomputed here from the table a person reads.
    const table = JSON.parse(readFileSync(join(checked.ctx.artifactDir, 'samples.json'), 'utf8')) as Array<{ prompt: string; before: string; after: string; checkBefore: number; checkAfter: number }>;
    expect(table).toHaveLength(40);
    const exact = (prompt: string, response: string) => (response.trim() === prompt.slice(0, 3) ? 1 : 0);
    for (const row of table) {
      expect(row.checkBefore).toBe(exact(row.prompt, row.before));
      expect(row.checkAfter).toBe(exact(row.prompt, row.after));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(checked.values.checkBefore).toBeCloseTo(mean(table.map((r) => exact(r.prompt, r.before))), 10);
    expect(checked.values.checkAfter).toBeCloseTo(mean(table.map((r) => exact(r.prompt, r.after))), 10);
    expect(checked.ctx.logs.some((l) => /held-out mean reward after: .*; check reward [\d.]+ \(before: [\d.]+\)/.test(l))).toBe(true);
  }, 300_000);

  it('refuses before the run what it can know: no reward, a reward model beside a built-in reward, a bad pattern, GRPO groups of one, a check that is the reward', () => {
    const check = (p: Record<string, ParamValue>, inputs: string[]) => trainRl.validate!(paramsFor(trainRl, p) as never, inputs);
    expect(check({ reward: 'model' }, ['model', 'dataset'])).toEqual([expect.objectContaining({ port: 'reward' })]);
    expect(check({ reward: 'exact-match' }, ['model', 'dataset', 'reward'])).toEqual([expect.objectContaining({ param: 'reward' })]);
    expect(check({ reward: 'regex', pattern: '([a-z' }, ['model', 'dataset'])).toEqual([expect.objectContaining({ param: 'pattern' })]);
    expect(check({ algorithm: 'grpo', groupSize: 1 }, ['model', 'dataset'])).toEqual([expect.objectContaining({ param: 'groupSize' })]);
    expect(check({ algorithm: 'ppo', groupSize: 1, reward: 'lexicon' }, ['model', 'dataset'])).toEqual([]);
    expect(check({ reward: 'lexicon', checkReward: 'lexicon' }, ['model', 'dataset'])).toEqual([expect.objectContaining({ param: 'checkReward' })]);
    expect(check({ reward: 'model', checkReward: 'regex', pattern: '(' }, ['model', 'dataset', 'reward'])).toEqual([expect.objectContaining({ param: 'pattern' })]);
    expect(check({ reward: 'model', checkReward: 'lexicon' }, ['model', 'dataset', 'reward'])).toEqual([]);
  });

  it('exact match needs reference answers: a prompt without one is refused, naming the record', async () => {
    const dir = tempDir();
    const { DatasetWriter } = await import('../lib/dataset.ts');
    const w = new DatasetWriter(dir);
    await w.write('train', { prompt: 'abc=', response: 'abc<|endoftext|>' });
    await w.write('train', { prompt: 'cab=' });
    await w.write('validation', { prompt: 'fed=', response: 'fed<|endoftext|>' });
    const noRef = await w.close();
    await expect(runNode(trainRl, { model: sft, dataset: noRef }, paramsFor(trainRl, { reward: 'exact-match', steps: 1 }), fakeContext())).rejects.toThrow(/train record 2 has no reference answer/);
  }, 60_000);

  it('trains the Llama family too (Qwen3 shape: RoPE, RMSNorm, SwiGLU, grouped-query attention, q/k norms)', async () => {
    const qwen3: GptConfig = { ...TINY, family: 'qwen3', heads: 4, kvHeads: 2, headDim: 12, intermediateSize: 64, rope: { theta: 10000 }, qkNorm: true, layerNormEps: 1e-6 };
    const dir = tempDir();
    const params = initParams(qwen3, 3);
    mkdirSync(join(dir, 'model'));
    const model = await saveModelFolder(join(dir, 'model'), params, qwen3, tokenizerFile(join(dir, 'tok')));
    disposeParams(params);
    const start = tf.memory().numTensors;
    const { values, result } = await rl({ algorithm: 'grpo', steps: 2, promptsPerStep: 2, groupSize: 4, evalPrompts: 4, reward: 'lexicon' }, { inputs: { model } });
    expect(Number.isFinite(values.kl)).toBe(true);
    expect(JSON.parse(readFileSync(join((result.outputs.model as ModelHandle).dir, 'config.json'), 'utf8')).model_type).toBe('qwen3');
    expect(tf.memory().numTensors).toBe(start);
  }, 120_000);
});
