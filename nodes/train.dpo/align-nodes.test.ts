/**
 * Reward model and DPO training as nodes, on every model family the model node supports (the tiny
 * transformers-written fixtures, with their ChatML templates rendering message-list prompts): the
 * reward model is saved as a one-label sequence classifier that loads back and scores the same,
 * DPO saves a language model (and its PEFT adapter with LoRA); metrics, histogram, warnings, cancel.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import trainRm from '../train.rm/index.ts';
import trainDpo from './index.ts';
import { PreferencesWriter, type PreferenceRecord } from '../lib/align/preferences.ts';
import type { MetricsHandle, ModelHandle, PreferencesHandle } from '../sdk/index.ts';
import { fakeContext, paramsFor, runNode } from '../../test/fixtures/node-harness.ts';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/hf/', import.meta.url));
const FAMILIES = ['gpt2-relu', 'llama3-gqa-bf16-sharded', 'mistral', 'qwen2-f16', 'qwen3'];

const contexts: ReturnType<typeof fakeContext>[] = [];
afterEach(() => contexts.splice(0).forEach((c) => c.cleanup()));

const pair = (i: number): PreferenceRecord =>
  i % 2 ? { prompt: [{ role: 'user', content: `Say something nice ${i}` }], chosen: 'Lovely!', rejected: 'Awful.' } : { prompt: `Review ${i}:`, chosen: ' great', rejected: ' bad' };

async function preferences(train: number, heldOut: number): Promise<PreferencesHandle> {
  const ctx = fakeContext();
  contexts.push(ctx);
  const w = new PreferencesWriter(ctx.artifactDir);
  for (let i = 0; i < train; i++) await w.write('train', pair(i));
  for (let i = 0; i < heldOut; i++) await w.write('validation', pair(100 + i));
  return w.close();
}

function modelInput(family: string): ModelHandle {
  return { kind: 'model', dir: join(FIXTURES, family), parameters: 0, config: JSON.parse('{}') };
}

async function runAlign(def: typeof trainRm, inputs: Record<string, unknown>, overrides: Record<string, string | number | boolean>, ctx = fakeContext()) {
  contexts.push(ctx);
  const params = paramsFor(def, { steps: 2, batchSize: 2, evalEvery: 2, checkpointEvery: 0, ...overrides });
  expect(def.validate?.(params as never, Object.keys(inputs)) ?? []).toEqual([]);
  const result = await runNode(def, inputs, params, ctx);
  return { ctx, result, model: result.outputs.model as ModelHandle, metrics: result.outputs.metrics as MetricsHandle };
}

describe('train.rm on every family', () => {
  it.each(FAMILIES)('%s: a one-label sequence classifier that loads back and scores the same', async (family) => {
    const prefs = await preferences(6, 4);
    const { model, metrics, ctx } = await runAlign(trainRm, { model: modelInput(family), preferences: prefs }, { method: family === 'qwen3' ? 'lora' : 'full' });
    const config = JSON.parse(readFileSync(join(model.dir, 'config.json'), 'utf8')) as { architectures: string[]; num_labels: number; pad_token_id: number };
    expect(config.architectures[0]).toMatch(/ForSequenceClassification$/);
    expect(config.num_labels).toBe(1);
    expect(typeof config.pad_token_id).toBe('number');
    expect(metrics.values.heldOutPairs).toBe(4);
    expect(metrics.values.valAccuracy).toBeGreaterThanOrEqual(0);
    const histogram = readFileSync(metrics.tables!.rewardHistogram!, 'utf8').trim().split('\n');
    expect(histogram[0]).toBe('from,to,chosenBefore,rejectedBefore,chosenAfter,rejectedAfter');
    // Every held-out pair counted once per side, before training and after.
    const counts = histogram.slice(1).map((l) => l.split(',').map(Number));
    for (const column of [2, 3, 4, 5]) expect(counts.reduce((s, c) => s + c[column]!, 0)).toBe(4);
    if (family === 'qwen3') expect(existsSync(join(ctx.artifactDir, 'adapter', 'adapter_config.json'))).toBe(true);

    // Loaded back as any other model: the same rewards as at the end of training.
    const { openModelInput } = await import('../lib/model-input.ts');
    const { encodeSplits } = await import('../lib/align/pair-run.ts');
    const { evaluatePairs } = await import('../lib/align/pair-trainer.ts');
    const { rewardModelRewards } = await import('../lib/align/objectives.ts');
    const { rewardPadId } = await import('../lib/align/reward.ts');
    const rm = await openModelInput(model);
    try {
      expect(rm.config.numClasses).toBe(1);
      const { validation } = await encodeSplits(prefs, rm, rm.config.contextLength, 500, fakeContext());
      const again = await evaluatePairs(validation!, rewardModelRewards(rm.params, rm.config, rewardPadId(rm.config, rm.tok)), 2);
      expect(again.chosenMean).toBeCloseTo(metrics.values.valChosenReward!, 4);
      expect(again.rejectedMean).toBeCloseTo(metrics.values.valRejectedReward!, 4);
      // What an RL trainer calls: responses scored one by one give the same rewards.
      const { scoreResponses } = await import('../lib/align/score-responses.ts');
      const { readPreferences } = await import('../lib/align/preferences.ts');
      const held = await readPreferences(prefs, 'validation');
      const scores = await scoreResponses(rm, held.map((r) => ({ prompt: r.prompt, response: r.chosen })), { batchSize: 1 });
      expect(scores.reduce((a, b) => a + b, 0) / scores.length).toBeCloseTo(metrics.values.valChosenReward!, 4);
    } finally {
      rm.dispose();
    }
  }, 120_000);
});

describe('train.dpo on every family', () => {
  it.each(FAMILIES)('%s: a language model, with held-out accuracy measured from 0.5', async (family) => {
    const lora = family !== 'gpt2-relu';
    const { model, metrics, ctx } = await runAlign(trainDpo, { model: modelInput(family), preferences: await preferences(6, 4) }, { method: lora ? 'lora' : 'full' });
    const config = JSON.parse(readFileSync(join(model.dir, 'config.json'), 'utf8')) as { architectures: string[] };
    expect(config.architectures[0]).toMatch(/(LMHeadModel|ForCausalLM)$/);
    expect(metrics.values.initialValPreferenceAccuracy).toBe(0.5);
    expect(metrics.values.heldOutPairs).toBe(4);
    expect(Number.isFinite(metrics.values.valRewardMargin)).toBe(true);
    expect(existsSync(join(ctx.artifactDir, 'adapter', 'adapter_config.json'))).toBe(lora);
    expect(readFileSync(metrics.tables!.history!, 'utf8').trim().split('\n')).toHaveLength(3);
  }, 120_000);

  it('leaves no tensor behind: a whole reward-model run and a whole LoRA DPO run', async () => {
    const { tf } = await import('../lib/backend.ts');
    const prefs = await preferences(6, 4);
    await runAlign(trainRm, { model: modelInput('qwen3'), preferences: prefs }, { method: 'lora' });
    const before = tf.memory().numTensors;
    await runAlign(trainRm, { model: modelInput('qwen3'), preferences: prefs }, { method: 'lora', steps: 4 });
    await runAlign(trainDpo, { model: modelInput('qwen3'), preferences: prefs }, { method: 'lora', steps: 4 });
    await runAlign(trainDpo, { model: modelInput('gpt2-relu'), preferences: prefs, reference: modelInput('gpt2-relu') }, { steps: 4 });
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('streams the DPO metrics each step, warns without held-out pairs, and stops on cancel', async () => {
    const seen: Array<Record<string, number>> = [];
    const ctx = fakeContext((p) => seen.push(p.metrics ?? {}));
    const { ctx: done } = await runAlign(trainDpo, { model: modelInput('gpt2-relu'), preferences: await preferences(6, 0) }, {}, ctx);
    expect(seen.map((m) => Object.keys(m).sort())[0]).toEqual(['chosenReward', 'gradNorm', 'loss', 'lr', 'preferenceAccuracy', 'rejectedReward', 'rewardMargin']);
    expect(done.logs.some((l) => l.startsWith('warn:') && l.includes('no held-out split'))).toBe(true);

    const abort = new AbortController();
    const cancelled = { ...fakeContext(), signal: abort.signal, progress: async () => abort.abort() };
    await expect(runAlign(trainDpo, { model: modelInput('gpt2-relu'), preferences: await preferences(6, 2) }, { steps: 50 }, cancelled)).rejects.toThrow('cancelled');
  }, 120_000);

  it('resumed after an interruption, ends exactly as an uninterrupted run (the reference is the model before training)', async () => {
    const prefs = await preferences(8, 4);
    const settings = { steps: 6, checkpointEvery: 3, evalEvery: 3 };
    const whole = await runAlign(trainDpo, { model: modelInput('gpt2-relu'), preferences: prefs }, settings);
    const ctx = fakeContext();
    const interrupted = { ...ctx, progress: async (p: { step: number }) => { if (p.step === 4) throw new Error('interrupted'); } };
    await expect(runAlign(trainDpo, { model: modelInput('gpt2-relu'), preferences: prefs }, settings, interrupted)).rejects.toThrow('interrupted');
    const resumed = await runAlign(trainDpo, { model: modelInput('gpt2-relu'), preferences: prefs }, settings, { ...ctx, progress: async () => undefined });
    expect(resumed.ctx.logs.some((l) => l.includes('resumed from the checkpoint at step 3'))).toBe(true);
    expect(resumed.metrics.values).toEqual(whole.metrics.values);
    expect(readFileSync(join(resumed.model.dir, 'model.safetensors')).equals(readFileSync(join(whole.model.dir, 'model.safetensors')))).toBe(true);
  }, 120_000);

  it('refuses an out-of-range beta and unknown LoRA matrices before the run', async () => {
    const { checkParamValue } = await import('../sdk/params.ts');
    expect(checkParamValue(trainDpo.params.beta!, 0)).toBeTruthy();
    expect(checkParamValue(trainDpo.params.beta!, 50)).toBeTruthy();
    expect(checkParamValue(trainDpo.params.beta!, 0.1)).toBeFalsy();
    expect(trainDpo.validate!(paramsFor(trainDpo, { method: 'lora', loraTargets: 'attn.q,mlp.nope' }) as never, [])).toEqual([{ param: 'loraTargets', message: expect.stringContaining('mlp.nope') }]);
  });
});
