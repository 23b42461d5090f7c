import { describe, expect, it } from 'vitest';
import { tf } from '../backend.ts';
import { parameterCount, trainingBytes, type GptConfig } from '../gpt/config.ts';
import { addLora } from '../gpt/lora.ts';
import { disposeParams, initParams, newVariable } from '../gpt/model.ts';
import { assertFitsBackend, heapExtraBytes, WASM_BUDGET_BYTES } from '../train/memory-check.ts';
import { VALUE_HEAD } from './objective.ts';
import { baseWeightsOf, referenceBytes, rolloutLength } from './reference.ts';

const tiny: GptConfig = { vocabSize: 64, contextLength: 16, width: 16, layers: 1, heads: 2, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 };

describe('the RL reference', () => {
  it('under LoRA is the policy\'s own base variables (the same tensors, nothing allocated), adapters and value head left out', () => {
    const p = initParams(tiny, 1);
    const base = [...p.keys()];
    const before = tf.memory().numTensors;
    const view = baseWeightsOf(p);
    expect(tf.memory().numTensors).toBe(before);
    addLora(p, tiny, { rank: 2, alpha: 4, targets: ['attn.q'] }, 2);
    p.set(VALUE_HEAD[0], newVariable(() => tf.zeros([16, 1])));
    expect([...baseWeightsOf(p).keys()]).toEqual(base);
    for (const [name, v] of view) expect(v).toBe(p.get(name));
    disposeParams(p);
  });

  it('costs a copy of the weights in full training and nothing under LoRA, and the memory check counts it', () => {
    const big: GptConfig = { ...tiny, vocabSize: 50257, width: 1024, layers: 24, heads: 16, contextLength: 1024 };
    expect(referenceBytes(big, 'full')).toBe(parameterCount(big) * 4);
    expect(referenceBytes(big, 'lora')).toBe(0);
    // A size that fits the wasm heap alone but not with a second copy of its weights beside it.
    const lora = { rank: 8, targets: 2 };
    const rows = 1;
    const fits = trainingBytes(big, rows, 32, lora) + heapExtraBytes('wasm', big);
    expect(fits + referenceBytes(big, 'lora')).toBeLessThan(WASM_BUDGET_BYTES);
    expect(fits + referenceBytes(big, 'full')).toBeGreaterThan(WASM_BUDGET_BYTES);
    expect(() => assertFitsBackend('wasm', big, rows, 32, 1, lora, null, { extraBytes: referenceBytes(big, 'lora'), what: 'reinforcement learning' })).not.toThrow();
    expect(() => assertFitsBackend('wasm', big, rows, 32, 1, lora, null, { extraBytes: referenceBytes(big, 'full'), what: 'reinforcement learning' })).toThrow(/^reinforcement learning needs about 4\.3 GiB at batch size 1, context 32/);
  });

  it('packs rows as long as the longest prompt plus the response, within the context', () => {
    expect(rolloutLength(tiny, [{ ids: [1, 2, 3] }, { ids: [1] }], 5)).toBe(8);
    expect(rolloutLength(tiny, [{ ids: new Array(14).fill(1) }], 5)).toBe(16);
  });
});
