/** Held-out evaluation: one greedy response per prompt, its reward, and their mean. */
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
  rows: Array<{ prompt: string; response: string; reward: number }>;
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
  o: { maxNewTokens: number; stopTokens: number[]; signal?: AbortSignal },
): Promise<HeldOutResult> {
  const scored: Scored[] = [];
  for (const item of prompts) {
    const [r] = await sampleGroup(p, c, item.ids, 1, { maxNewTokens: o.maxNewTokens, temperature: 0, stopTokens: o.stopTokens, seed: 0, signal: o.signal });
    scored.push({ prompt: item.text, record: item.record, ...(await responseTexts(tok, r!.ids, r!.stopped)) });
  }
  const rewards = await reward(scored);
  return {
    meanReward: rewards.reduce((a, b) => a + b, 0) / Math.max(1, rewards.length),
    rows: scored.map((s, i) => ({ prompt: s.prompt, response: s.response, reward: rewards[i]! })),
  };
}
