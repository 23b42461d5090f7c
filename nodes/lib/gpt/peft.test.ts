/**
 * PEFT adapters: what Weft writes, merged back into a fresh copy of the base model, gives exactly the
 * model the adapters computed, for GPT-2 (q/k/v adapters fused into c_attn) and the Llama family.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.ts';
import { tf, useBestBackend } from '../backend.ts';
import type { GptConfig } from './config.ts';
import { addLora } from './lora.ts';
import { disposeParams, hiddenStates, initParams, lmLogits, type Params } from './model.ts';
import { mergePeftAdapter, writePeftAdapter } from './peft.ts';

const gpt2: GptConfig = { vocabSize: 40, contextLength: 16, width: 32, layers: 2, heads: 2, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 };
const llama: GptConfig = { ...gpt2, family: 'llama', heads: 4, kvHeads: 2, headDim: 8, intermediateSize: 48, rope: { theta: 10000 }, layerNormEps: 1e-6, tiedEmbeddings: false };

async function logits(p: Params, c: GptConfig): Promise<Float32Array> {
  const t = tf.tidy(() => lmLogits(p, c, hiddenStates(p, c, tf.tensor2d([[1, 2, 3, 4, 5, 6]], [1, 6], 'int32'), { training: false })));
  const d = (await t.data()) as Float32Array;
  t.dispose();
  return d;
}

const cases: Array<[string, GptConfig, string[]]> = [
  ['gpt2', gpt2, ['attn.q', 'attn.v', 'attn.c_proj', 'mlp.c_fc']],
  ['llama', llama, ['attn.q', 'attn.v', 'mlp.gate', 'mlp.down']],
];

describe('PEFT adapters', () => {
  for (const [name, config, targets] of cases) {
    it(`${name}: an adapter written in PEFT's layout merges into the base to the same model`, async () => {
      await useBestBackend();
      const p = initParams(config, 4);
      const names = addLora(p, config, { rank: 3, alpha: 6, targets }, 9);
      // Trained adapters are not zero: give every B random values.
      for (const n of names.filter((x) => x.endsWith('lora_B'))) p.get(n)!.assign(tf.randomNormal(p.get(n)!.shape, 0, 0.3, 'float32', 1));
      const adapted = await logits(p, config);
      const dir = join(tempDir(), 'adapter');
      await writePeftAdapter(dir, p, config, { rank: 3, alpha: 6, targets }, '/base');
      disposeParams(p);

      const peftConfig = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
      expect(peftConfig).toMatchObject({ peft_type: 'LORA', r: 3, lora_alpha: 6, base_model_name_or_path: '/base' });
      const base = initParams(config, 4);
      const before = await logits(base, config);
      expect(mergePeftAdapter(dir, base, config)).toBe(config.layers * (name === 'gpt2' ? 3 : 4));
      const merged = await logits(base, config);
      disposeParams(base);
      let diff = 0;
      let moved = 0;
      for (let i = 0; i < merged.length; i++) {
        diff = Math.max(diff, Math.abs(merged[i]! - adapted[i]!));
        moved = Math.max(moved, Math.abs(merged[i]! - before[i]!));
      }
      expect(moved).toBeGreaterThan(1e-2);
      expect(diff).toBeLessThan(1e-5);
    });
  }
});
