/**
 * Loss of a causal model on fixed, evenly spaced windows of a token source: the same tokens every
 * time it is asked, so "before" and "after" figures (forgetting, pruning damage) compare like with like.
 */
import { tf } from '../backend.ts';
import type { GptConfig } from '../gpt/config.ts';
import { crossEntropy, hiddenStates, lmLogits, type Params } from '../gpt/model.ts';
import type { TokenSource } from '../token-source.ts';

export interface HeldOut {
  /** Windows of context+1 tokens, concatenated. */
  windows: Int32Array;
  count: number;
  context: number;
}

/** Up to `maxWindows` windows spread over the whole source. */
export function heldOutWindows(source: TokenSource, context: number, maxWindows: number, what = 'the held-out set'): HeldOut {
  const T = context;
  const fit = Math.floor((source.length - 1) / T);
  if (fit < 1) throw new Error(`${what} has ${source.length} tokens, fewer than one window of ${T + 1}; give it more text or lower the context`);
  const count = Math.min(maxWindows, fit);
  const windows = new Int32Array(count * (T + 1));
  for (let w = 0; w < count; w++) {
    const off = count === 1 ? 0 : Math.floor((w * (source.length - T - 1)) / (count - 1));
    windows.set(source.read(off, T + 1), w * (T + 1));
  }
  return { windows, count, context: T };
}

/** Mean next-token cross-entropy over the windows, in batches; leaves no tensor behind. */
export async function heldOutLoss(params: Params, config: GptConfig, h: HeldOut, batchSize: number, signal?: AbortSignal): Promise<number> {
  const T = h.context;
  let sum = 0;
  for (let w = 0; w < h.count; w += batchSize) {
    if (signal?.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
    const B = Math.min(batchSize, h.count - w);
    const x = new Int32Array(B * T);
    const y = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      const win = h.windows.subarray((w + b) * (T + 1), (w + b + 1) * (T + 1));
      x.set(win.subarray(0, T), b * T);
      y.set(win.subarray(1), b * T);
    }
    const loss = tf.tidy(() => crossEntropy(lmLogits(params, config, hiddenStates(params, config, tf.tensor2d(x, [B, T], 'int32'), { training: false })), tf.tensor1d(y, 'int32'), tf.ones([B * T])));
    sum += (await loss.data())[0]! * B;
    loss.dispose();
  }
  return sum / h.count;
}
