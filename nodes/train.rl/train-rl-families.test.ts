/**
 * train.rl across the Llama family's shapes (the GPT-2 and Qwen3 shapes are in train-rl.test.ts):
 * Llama (grouped-query attention, untied head) and Qwen2 (q/k/v biases), each briefly fine-tuned to
 * copy three-letter words, then GRPO with every weight learning (the held-out reward, a format rule,
 * rises) and with LoRA (a short run: the reference is the policy's own base weights with the adapters
 * off, so the run holds no second copy of the model). KL is reported and tensors stay flat in both.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.ts';
import { fakeContext, paramsFor, runNode } from '../../test/fixtures/node-harness.ts';
import { tf } from '../lib/backend.ts';
import { parameterCount, type GptConfig } from '../lib/gpt/config.ts';
import type { DatasetHandle } from '../lib/dataset.ts';
import type { ModelHandle, ParamValue, Progress } from '../sdk/index.ts';
import trainRl from './index.ts';
import { fineTunedModel, TINY, wordDataset } from './rl-fixture.ts';

const schedule = (lr: number) => ({ kind: 'scheduler' as const, settings: { kind: 'constant' as const, lr, warmupSteps: 0, minLrRatio: 0.1, stepSize: 1000, gamma: 0.5 } });
const LLAMA: GptConfig = { ...TINY, family: 'llama', heads: 4, kvHeads: 2, headDim: 12, intermediateSize: 96, rope: { theta: 10000 }, tiedEmbeddings: false, layerNormEps: 1e-6 };
const QWEN2: GptConfig = { ...TINY, family: 'qwen2', heads: 4, kvHeads: 2, headDim: 12, intermediateSize: 96, rope: { theta: 10000 }, qkvBias: true, attnOutputBias: false, tiedEmbeddings: true, layerNormEps: 1e-6 };

let dataset: DatasetHandle;
const sft: Record<string, ModelHandle> = {};
beforeAll(async () => {
  const dir = tempDir();
  dataset = await wordDataset(join(dir, 'data'), 'copy');
  sft.llama = await fineTunedModel(join(dir, 'llama'), dataset, 40, LLAMA);
  sft.qwen2 = await fineTunedModel(join(dir, 'qwen2'), dataset, 40, QWEN2);
}, 600_000);

async function grpo(model: ModelHandle, overrides: Record<string, ParamValue>, lr: number) {
  const seen: Progress[] = [];
  const bytes: number[] = [];
  const counts: number[] = [];
  const ctx = fakeContext();
  ctx.progress = async (p) => {
    seen.push(p);
    bytes.push(tf.memory().numBytes);
    counts.push(tf.memory().numTensors);
  };
  const params = paramsFor(trainRl, { algorithm: 'grpo', steps: 16, promptsPerStep: 8, groupSize: 8, maxNewTokens: 5, evalPrompts: 40, evalTemperature: 1, evalSamples: 4, checkpointEvery: 0, reward: 'regex', pattern: '^[a-f]{3}$', ...overrides });
  expect(trainRl.validate?.(params as never, ['model', 'dataset', 'scheduler'])).toEqual([]);
  const startBytes = tf.memory().numBytes;
  const startTensors = tf.memory().numTensors;
  const result = await runNode(trainRl, { model, dataset, scheduler: schedule(lr) }, params, ctx);
  expect(tf.memory().numTensors).toBe(startTensors);
  return { values: result.metrics!, seen, counts, heldBytes: Math.max(...bytes) - startBytes, ctx, out: result.outputs.model as ModelHandle };
}

const modelBytes = (c: GptConfig) => parameterCount(c) * 4;

describe.each([
  ['llama (grouped-query attention, untied head)', 'llama', LLAMA],
  ['qwen2 (q/k/v biases)', 'qwen2', QWEN2],
] as const)('train.rl on the %s shape', (_name, key, config) => {
  it('GRPO, every weight learning: the held-out reward rises, KL is reported, tensors flat, a copy of the model is the reference', async () => {
    const r = await grpo(sft[key]!, { method: 'full' }, 2e-3);
    expect(r.values.rewardAfter).toBeGreaterThan(r.values.rewardBefore! + 0.1);
    expect(r.seen[0]!.metrics!.kl).toBeCloseTo(0, 5);
    expect(r.values.kl).toBeGreaterThan(0);
    for (const p of r.seen) expect(Number.isFinite(p.metrics!.kl)).toBe(true);
    expect(new Set(r.counts.slice(1)).size).toBe(1);
    // The policy, its reference copy and Adam's two moments: about four models' worth.
    expect(r.heldBytes).toBeGreaterThan(3.5 * modelBytes(config));
    expect(JSON.parse(readFileSync(join(r.out.dir, 'config.json'), 'utf8')).model_type).toBe(key);
  }, 600_000);

  it('GRPO with LoRA: the reference is the base weights with the adapters off (no second copy held); KL reported, tensors flat', async () => {
    const targets = ['attn.q', 'attn.k', 'attn.v', 'attn.c_proj', 'mlp.gate', 'mlp.up', 'mlp.down'];
    const r = await grpo(sft[key]!, { method: 'lora', loraRank: 8, loraAlpha: 16, loraTargets: targets.join(','), steps: 6 }, 1e-2);
    // The first batch is sampled by the starting policy, which the adapters (B = 0) leave equal to the reference.
    expect(r.seen[0]!.metrics!.kl).toBeCloseTo(0, 5);
    // Then the adapters move the policy away from the base weights the KL is measured against.
    expect(r.values.kl).toBeGreaterThan(0.001);
    for (const p of r.seen) expect(Number.isFinite(p.metrics!.kl)).toBe(true);
    expect(new Set(r.counts.slice(1)).size).toBe(1);
    // Held: the policy and, beside it, only the adapters with Adam's two moments (and the scale): no second copy.
    const c = { ...config, kvHeads: config.kvHeads!, headDim: config.headDim!, intermediateSize: config.intermediateSize! };
    const shapes: Record<string, [number, number]> = {
      'attn.q': [c.width, c.heads * c.headDim], 'attn.k': [c.width, c.kvHeads * c.headDim], 'attn.v': [c.width, c.kvHeads * c.headDim], 'attn.c_proj': [c.heads * c.headDim, c.width],
      'mlp.gate': [c.width, c.intermediateSize], 'mlp.up': [c.width, c.intermediateSize], 'mlp.down': [c.intermediateSize, c.width],
    };
    const adapterBytes = 4 * c.layers * targets.reduce((n, t) => n + 8 * (shapes[t]![0] + shapes[t]![1]), 0);
    expect(r.heldBytes).toBeLessThanOrEqual(modelBytes(config) + 3 * adapterBytes + 4096);
    expect(r.heldBytes).toBeLessThan(2 * modelBytes(config)); // a copy beside the policy would make two
    expect(existsSync(join(r.out.dir, 'adapter', 'adapter_model.safetensors'))).toBe(true);
  }, 600_000);
});
