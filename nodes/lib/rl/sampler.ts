/**
 * Batched sampling for reinforcement learning: one prompt, a group of G continuations drawn at once
 * (a batch of G rows sharing the prompt, so no padding shifts any position), with a key/value cache
 * so each new token costs one position. Seeded: the same seed draws the same tokens on every run.
 * Sampling is plain temperature sampling (no top-k/top-p), so the probabilities the trainer
 * computes later are the ones the tokens were drawn from.
 */
import { tf } from '../backend.ts';
import { sampleToken } from '../gpt/sample-token.ts';
import type { GptConfig } from '../gpt/config.ts';
import { disposeCache, hiddenStates, lmLogits, newCache, type Params } from '../gpt/model.ts';
import { Prng } from '../prng.ts';

export interface GroupSampling {
  maxNewTokens: number;
  /** 0: greedy. */
  temperature: number;
  /** A response ends at the first of these (which is kept as its last token, so the policy learns to stop). */
  stopTokens: number[];
  seed: number;
  signal?: AbortSignal;
}

export interface SampledResponse {
  /** The response's tokens, its stop token included when it stopped. */
  ids: number[];
  stopped: boolean;
}

const abortError = () => Object.assign(new Error('cancelled'), { name: 'AbortError' });

/** How many new tokens fit after a prompt in the model's context. */
export function roomAfter(c: GptConfig, promptLength: number, maxNewTokens: number): number {
  return Math.max(0, Math.min(maxNewTokens, c.contextLength - promptLength));
}

/** G responses to one prompt, sampled together. */
export async function sampleGroup(p: Params, c: GptConfig, prompt: number[], groupSize: number, o: GroupSampling): Promise<SampledResponse[]> {
  if (!prompt.length) throw new Error('a prompt has no tokens');
  const room = roomAfter(c, prompt.length, o.maxNewTokens);
  if (room < 1) throw new Error(`a prompt of ${prompt.length} tokens leaves no room for a response in the model's context of ${c.contextLength}`);
  const rng = new Prng(o.seed);
  const out: SampledResponse[] = Array.from({ length: groupSize }, () => ({ ids: [], stopped: false }));
  const cache = newCache();
  try {
    let input = new Int32Array(groupSize * prompt.length);
    for (let g = 0; g < groupSize; g++) input.set(prompt, g * prompt.length);
    let width = prompt.length;
    for (let t = 0; t < room; t++) {
      if (o.signal?.aborted) throw abortError();
      const w = width;
      const x = input;
      const logits = tf.tidy(() => {
        const h = hiddenStates(p, c, tf.tensor2d(x, [groupSize, w], 'int32'), { training: false, cache });
        // The last position of each row: rows are b*w .. b*w+w-1.
        const last = tf.reshape(tf.slice(tf.reshape(h, [groupSize, w, c.width]), [0, w - 1, 0], [groupSize, 1, c.width]), [groupSize, c.width]) as tf.Tensor2D;
        return lmLogits(p, c, last);
      });
      const values = (await logits.data()) as Float32Array;
      logits.dispose();
      const V = values.length / groupSize;
      input = new Int32Array(groupSize);
      width = 1;
      let open = 0;
      for (let g = 0; g < groupSize; g++) {
        // Every row draws, finished or not, so a row's tokens never depend on when the others stopped.
        const next = sampleToken(values.subarray(g * V, (g + 1) * V), { temperature: o.temperature, topK: 0, topP: 1 }, rng);
        const r = out[g]!;
        input[g] = next;
        if (r.stopped) continue;
        r.ids.push(next);
        if (o.stopTokens.includes(next)) r.stopped = true;
        else open++;
      }
      if (!open) break;
    }
    return out;
  } finally {
    disposeCache(cache);
  }
}
