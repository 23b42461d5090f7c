/**
 * Held-out evaluation: greedy responses (temperature 0), or a few sampled ones per prompt with fixed
 * seeds (so the same weights always score the same), their rewards and the mean.
 */
import type { GptConfig } from '../gpt/config.ts';
import type { Params } from '../gpt/model.ts';
import type { TextTokenizer } from '../tokenizer.ts';
import type { DataRecord } from '../dataset.ts';
import type { RewardFunction, Scored } from './rewards.ts';
import { sampleGroup } from './sampler.ts';

export interface PromptItem {
  text: string;
  ids: number[];
  record: DataRecord;
}

export interface HeldOutResult {
  meanReward: number;
  /** The mean of the check reward (a second, independent score of the same responses), when one is given. */
  meanCheck?: number;
  rows: Array<{ prompt: string; response: string; reward: number; check?: number }>;
}

/** Response ids to the texts a reward reads (and a person reads): without, and with, the stop token. */
export async function responseTexts(tok: TextTokenizer, ids: number[], stopped: boolean): Promise<{ response: string; responseWithEnd: string }> {
  const body = stopped ? ids.slice(0, -1) : ids;
  const response = await tok.decode(body);
  return { response, responseWithEnd: stopped ? await tok.decode(ids) : response };
}

export async function evaluateHeldOut(
  p: Params,
  c: GptConfig,
  tok: TextTokenizer,
  prompts: PromptItem[],
  reward: RewardFunction,
  o: { maxNewTokens: number; stopTokens: number[]; temperature?: number; samples?: number; signal?: AbortSignal; check?: RewardFunction },
): Promise<HeldOutResult> {
  const temperature = o.temperature ?? 0;
  const samples = temperature > 0 ? Math.max(1, o.samples ?? 1) : 1;
  const scored: Scored[] = [];
  for (const [i, item] of prompts.entries()) {
    const group = await sampleGroup(p, c, item.ids, samples, { maxNewTokens: o.maxNewTokens, temperature, stopTokens: o.stopTokens, seed: 7919 * i + 1, signal: o.signal });
    for (const r of group) scored.push({ prompt: item.text, record: item.record, ...(await responseTexts(tok, r.ids, r.stopped)) });
  }
  const rewards = await reward(scored);
  const checks = o.check ? await o.check(scored) : undefined;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    meanReward: mean(rewards),
    ...(checks ? { meanCheck: mean(checks) } : {}),
    // One row per prompt (its first response), for people to read.
    rows: prompts.map((_, i) => ({ prompt: scored[i * samples]!.prompt, response: scored[i * samples]!.response, reward: rewards[i * samples]!, ...(checks ? { check: checks[i * samples]! } : {}) })),
  };
}
