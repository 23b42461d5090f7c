/** The pieces of train.rl that can be checked alone: batched sampling, advantages, packing, rewards. */
import { describe, expect, it } from 'vitest';
import { tf, useBestBackend } from '../backend.ts';
import type { GptConfig } from '../gpt/config.ts';
import { generate } from '../gpt/generate.ts';
import { disposeParams, initParams } from '../gpt/model.ts';
import { gae, groupAdvantages, whiten } from './advantages.ts';
import { packRollouts } from './batch.ts';
import { builtinReward, lexiconScore, referenceOf } from './rewards.ts';
import { sampleGroup } from './sampler.ts';

const config: GptConfig = { vocabSize: 40, contextLength: 24, width: 32, layers: 2, heads: 2, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 };

describe('batched group sampling', () => {
  it('greedy rows equal single-sequence generation; a seed replays its draws exactly; tensors are freed', async () => {
    await useBestBackend();
    const params = initParams(config, 4);
    const start = tf.memory().numTensors;
    const prompt = [3, 9, 27, 1];
    const greedy = await sampleGroup(params, config, prompt, 3, { maxNewTokens: 8, temperature: 0, stopTokens: [], seed: 1 });
    const single = await generate(params, config, prompt, { maxTokens: 8, temperature: 0, topK: 0, topP: 1, seed: 1 });
    for (const r of greedy) expect(r.ids).toEqual(single);
    const a = await sampleGroup(params, config, prompt, 6, { maxNewTokens: 8, temperature: 1, stopTokens: [5], seed: 42 });
    const b = await sampleGroup(params, config, prompt, 6, { maxNewTokens: 8, temperature: 1, stopTokens: [5], seed: 42 });
    const c = await sampleGroup(params, config, prompt, 6, { maxNewTokens: 8, temperature: 1, stopTokens: [5], seed: 43 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    // Distinct responses within a group: sampling, not one draw copied.
    expect(new Set(a.map((r) => r.ids.join())).size).toBeGreaterThan(1);
    // A stopped response ends with its stop token and nothing after it.
    for (const r of a) if (r.stopped) expect(r.ids.indexOf(5)).toBe(r.ids.length - 1);
    expect(tf.memory().numTensors).toBe(start);
    disposeParams(params);
  });

  it('refuses a prompt that leaves no room in the context', async () => {
    const params = initParams(config, 4);
    await expect(sampleGroup(params, config, new Array(24).fill(1), 2, { maxNewTokens: 4, temperature: 1, stopTokens: [], seed: 1 })).rejects.toThrow(/no room for a response/);
    disposeParams(params);
  });
});

describe('advantages', () => {
  it('GRPO: each reward against its group; a group of equal rewards gets none', () => {
    const adv = groupAdvantages([1, 0, 0, 0, 2, 2, 2, 2], 4, true);
    // group 1: mean 0.25, unbiased std 0.5
    expect(adv[0]).toBeCloseTo(0.75 / (0.5 + 1e-4), 6);
    expect(adv[1]).toBeCloseTo(-0.25 / (0.5 + 1e-4), 6);
    expect(adv.slice(4)).toEqual([0, 0, 0, 0]);
    expect(groupAdvantages([1, 0], 2, false)).toEqual([0.5, -0.5]);
  });

  it('GAE with gamma = lambda = 1 is the sum of the rewards still to come minus the value; masked positions are skipped', () => {
    // One row of length 5; response tokens at positions 1..3.
    const mask = Float32Array.from([0, 1, 1, 1, 0]);
    const rewards = Float32Array.from([0, -0.1, -0.2, 1, 0]);
    const values = Float32Array.from([9, 0.5, 0.25, 0.75, 9]);
    const { advantages, returns } = gae(rewards, values, mask, 1, 5, 1, 1);
    expect(advantages[1]).toBeCloseTo(-0.1 - 0.2 + 1 - 0.5, 6);
    expect(advantages[2]).toBeCloseTo(-0.2 + 1 - 0.25, 6);
    expect(advantages[3]).toBeCloseTo(1 - 0.75, 6);
    expect(advantages[0]).toBe(0);
    expect(returns[1]).toBeCloseTo(0.7, 6);
    const w = whiten(advantages, mask);
    expect((w[1]! + w[2]! + w[3]!) / 3).toBeCloseTo(0, 6);
  });
});

describe('packing and rewards', () => {
  it('marks exactly the positions that predict response tokens', () => {
    const b = packRollouts([{ promptIndex: 0, prompt: [1, 2], response: [3, 4], stopped: true }, { promptIndex: 1, prompt: [5], response: [6], stopped: false }], 0);
    expect(b.length).toBe(4);
    expect(Array.from(b.mask)).toEqual([0, 1, 1, 0, 1, 0, 0, 0]);
    expect(Array.from(b.targets)).toEqual([0, 3, 4, 0, 6, 0, 0, 0]);
  });

  it('exact match against the reference less its end-of-text; regex; the AFINN lexicon', async () => {
    expect(referenceOf({ response: 'cba<|endoftext|>' }, '<|endoftext|>')).toBe('cba');
    expect(referenceOf({ answer: ' 17 ', response: '17<|endoftext|>' }, '<|endoftext|>')).toBe('17');
    const item = (response: string, record = {}) => ({ prompt: 'p', response, responseWithEnd: response, record });
    expect(await builtinReward('exact-match', { pattern: '', endOfText: '<|endoftext|>' })([item('cba ', { answer: 'cba' }), item('cb', { answer: 'cba' })])).toEqual([1, 0]);
    expect(await builtinReward('regex', { pattern: '^\\d+$', endOfText: '' })([item('42'), item('4x')])).toEqual([1, 0]);
    expect(lexiconScore('What a wonderful, happy day')).toBeGreaterThan(0);
    expect(lexiconScore('a terrible, sad loss')).toBeLessThan(0);
    expect(lexiconScore('...')).toBe(0);
  });
});
