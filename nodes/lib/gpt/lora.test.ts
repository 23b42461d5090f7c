import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.ts';
import { tf, useBestBackend } from '../backend.ts';
import { MemoryTokens } from '../token-source.ts';
import { trainLanguageModel } from '../train/lm-trainer.ts';
import { DEFAULT_OPTIMIZER } from '../train/optimizer.ts';
import { DEFAULT_SCHEDULE } from '../train/schedule.ts';
import type { GptConfig } from './config.ts';
import { addLora, mergeLora } from './lora.ts';
import { disposeParams, hiddenStates, initParams, lmLogits, type Params } from './model.ts';

const config: GptConfig = { vocabSize: 32, contextLength: 16, width: 32, layers: 2, heads: 2, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 };
const stream = new Int32Array(3000).map((_, i) => (i % 5) * 6 + ((i >> 3) % 3));

async function logits(p: Params): Promise<Float32Array> {
  const t = tf.tidy(() => lmLogits(p, config, hiddenStates(p, config, tf.tensor2d([[1, 2, 3, 4, 5, 6]], [1, 6], 'int32'), { training: false })));
  const d = (await t.data()) as Float32Array;
  t.dispose();
  return d;
}

describe('LoRA', () => {
  it('starts as the base model, trains only the adapters, and merges into weights that give the same outputs', async () => {
    await useBestBackend();
    const p = initParams(config, 4);
    const base = await logits(p);
    const names = addLora(p, config, { rank: 4, alpha: 8, targets: ['attn.q', 'attn.v', 'mlp.c_fc'] }, 9);
    expect(names).toHaveLength(2 * 3 * 2);
    expect([...(await logits(p))]).toEqual([...base]); // B starts at zero

    const frozenBefore = (await p.get('h.0.attn.q.weight')!.data()).slice();
    const r = await trainLanguageModel({
      config, params: p, train: new MemoryTokens(stream), objective: 'causal', maskProbability: 0, batchSize: 4, context: 16, steps: 30, gradAccum: 1,
      evalEvery: 100, evalBatches: 1, checkpointEvery: 0, keepCheckpoints: 1, checkpointDir: tempDir(),
      optimizer: { ...DEFAULT_OPTIMIZER, weightDecay: 0 }, schedule: { ...DEFAULT_SCHEDULE, kind: 'constant', lr: 1e-2 }, seed: 1,
      trainable: (n) => names.includes(n), progress: async () => undefined, log: () => undefined,
    });
    expect(r.finalLoss).toBeLessThan(r.history[0]!.loss);
    expect([...(await p.get('h.0.attn.q.weight')!.data())]).toEqual([...frozenBefore]);

    const adapted = await logits(p);
    expect(mergeLora(p)).toBe(6);
    expect([...p.keys()].some((k) => k.includes('lora'))).toBe(false);
    const merged = await logits(p);
    for (let i = 0; i < merged.length; i++) expect(merged[i]).toBeCloseTo(adapted[i]!, 4);
    disposeParams(p);
  });
});
