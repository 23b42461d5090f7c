/** Sampling with temperature, top-k and top-p, using a key/value cache so each new token costs one position. */
import { tf } from '../backend.ts';
import { Prng } from '../prng.ts';
import { sampleToken } from './sample-token.ts';
import type { GptConfig } from './config.ts';
import { disposeCache, hiddenStates, lmLogits, newCache, type Params } from './model.ts';

export interface SamplingOptions {
  maxTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
  stopTokens?: number[];
  /**
   * Keep going when the context window is full: restart from the last half-window of tokens
   * (positions begin again at 0), so maxTokens may exceed the model's context. The prompt then
   * keeps up to context - 1 - min(maxTokens, context / 2) of its last tokens.
   */
  slide?: boolean;
}

/** Picks a token from logits (temperature 0 means greedy): the one sampler generation, the playground, the endpoint and RL share. */
export { sampleToken } from './sample-token.ts';

export type GenerationEnd = 'stop' | 'length' | 'context';

/** Generates a continuation of `prompt` (token ids). Calls onToken as each token arrives. */
export async function generate(p: Params, c: GptConfig, prompt: number[], o: SamplingOptions, onToken?: (id: number) => void | Promise<void>): Promise<number[]> {
  return (await generateUntil(p, c, prompt, o, onToken)).ids;
}

/** The prompt tokens generation keeps: the last ones, leaving room for the new tokens in the context. */
export function promptWindow(c: GptConfig, prompt: number[], maxTokens: number, slide = false): number[] {
  const room = slide ? Math.min(maxTokens, Math.floor(c.contextLength / 2)) : maxTokens;
  return prompt.slice(-Math.max(1, c.contextLength - 1 - room));
}

/** As generate, and says why it stopped: a stop token, maxTokens, or a full context window. */
export async function generateUntil(
  p: Params,
  c: GptConfig,
  prompt: number[],
  o: SamplingOptions,
  onToken?: (id: number) => void | Promise<void>,
): Promise<{ ids: number[]; end: GenerationEnd }> {
  const rng = new Prng(o.seed);
  const out: number[] = [];
  const context = promptWindow(c, prompt, o.maxTokens, o.slide);
  let cache = newCache();
  try {
    let input = context.length ? context : [0];
    while (out.length < o.maxTokens) {
      if (cache.length + input.length > c.contextLength) {
        if (!o.slide) break;
        // Full: start a fresh window from the last half of everything so far (prompt and output).
        disposeCache(cache);
        cache = newCache();
        input = [...context, ...out].slice(-Math.floor(c.contextLength / 2));
      }
      const logits = tf.tidy(() => {
        const h = hiddenStates(p, c, tf.tensor2d(input, [1, input.length], 'int32'), { training: false, cache });
        return lmLogits(p, c, tf.slice(h, [input.length - 1, 0], [1, c.width]) as tf.Tensor2D);
      });
      const values = (await logits.data()) as Float32Array;
      logits.dispose();
      const next = sampleToken(values, o, rng);
      if (o.stopTokens?.includes(next)) return { ids: out, end: 'stop' };
      out.push(next);
      await onToken?.(next);
      input = [next];
    }
    return { ids: out, end: out.length >= o.maxTokens ? 'length' : 'context' };
  } finally {
    disposeCache(cache);
  }
}
