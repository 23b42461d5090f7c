/**
 * GRPO's gradient through LoRA adapters is the gradient of the merged weight, projected: with
 * W' = W + s·A·B, dL/dB = s·Aᵀ·dL/dW'. Checked on the GPT-2 and Llama (grouped-query, untied) shapes
 * with the base weights frozen as the trainer freezes them, against the merged model's own gradient.
 */
import { describe, expect, it } from 'vitest';
import { tf, useBestBackend } from '../backend.ts';
import type { GptConfig } from '../gpt/config.ts';
import { addLora, mergeLora } from '../gpt/lora.ts';
import { disposeParams, initParams } from '../gpt/model.ts';
import { freezeAllBut } from '../train/loop-options.ts';
import { packRollouts } from './batch.ts';
import { logProbsOf } from './logprobs.ts';
import { grpoLoss } from './objective.ts';

const GPT2: GptConfig = { vocabSize: 257, contextLength: 16, width: 48, layers: 2, heads: 2, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1, eosTokenId: 256 };
const LLAMA: GptConfig = { ...GPT2, family: 'llama', heads: 4, kvHeads: 2, headDim: 12, intermediateSize: 96, rope: { theta: 10000 }, tiedEmbeddings: false };

describe('GRPO with LoRA', () => {
  it.each([['gpt2', GPT2], ['llama', LLAMA]] as const)('%s: the adapter gradient is the merged weight\'s gradient projected onto it', async (_name, config) => {
    await useBestBackend();
    const start = tf.memory().numTensors;
    const p = initParams(config, 1);
    const names = addLora(p, config, { rank: 4, alpha: 8, targets: ['attn.q', 'attn.v'] }, 2);
    // B away from zero, so that A's path matters too.
    for (const n of names) if (n.endsWith('lora_B')) tf.tidy(() => p.get(n)!.assign(tf.randomNormal(p.get(n)!.shape, 0, 0.1, 'float32', 3)));
    const batch = packRollouts([0, 1, 2, 3].map((k) => ({ promptIndex: k, prompt: [97 + k, 98, 61], response: [99 + k, 100, 256], stopped: true })), 256);
    const old = await logProbsOf(p, config, batch, 1);
    const inputs = { batch, oldLogProbs: old.map((x) => x + 0.01), refLogProbs: old, advantages: [1, -1, 0.5, -0.5], clipEpsilon: 0.2, beta: 0.04, temperature: 1 };
    const learning = new Map(names.map((n) => [n, p.get(n)!]));
    const unfreeze = freezeAllBut(p, learning);
    const viaAdapter = tf.variableGrads(() => grpoLoss(p, config, inputs, (s) => tf.dispose([s.entropy, s.clipFraction])), [...learning.values()]);
    unfreeze();
    const gB = await viaAdapter.grads[p.get('h.1.attn.v.lora_B')!.name]!.data();
    const A = p.get('h.1.attn.v.lora_A')!.clone();
    const scale = (await p.get('lora.scale')!.data())[0]!;
    tf.dispose([viaAdapter.value, ...Object.values(viaAdapter.grads)]);
    mergeLora(p);
    const merged = tf.variableGrads(() => grpoLoss(p, config, inputs, (s) => tf.dispose([s.entropy, s.clipFraction])), [p.get('h.1.attn.v.weight')!]);
    const projected = tf.tidy(() => tf.mul(tf.matMul(tf.transpose(A), Object.values(merged.grads)[0]!), scale));
    const expected = await projected.data();
    let largest = 0;
    for (const g of expected) largest = Math.max(largest, Math.abs(g));
    expect(largest).toBeGreaterThan(1e-5);
    for (let i = 0; i < gB.length; i++) expect(Math.abs(gB[i]! - expected[i]!)).toBeLessThan(1e-3 * largest);
    tf.dispose([A, projected, merged.value, ...Object.values(merged.grads)]);
    disposeParams(p);
    expect(tf.memory().numTensors).toBe(start);
  }, 60_000);
});
