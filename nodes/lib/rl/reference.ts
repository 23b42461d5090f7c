/**
 * The frozen reference reinforcement learning measures KL against, and what it costs in memory.
 * Under LoRA the base weights never change: the reference is the policy's own variables with the
 * adapters (and a value head) left out, a second view of the same tensors rather than a copy.
 */
import { parameterCount, type GptConfig } from '../gpt/config.ts';
import type { Params } from '../gpt/model.ts';
import { VALUE_HEAD } from './objective.ts';

const isAdapterOrHead = (name: string) => name.includes('.lora_') || name === 'lora.scale' || (VALUE_HEAD as readonly string[]).includes(name);

/** The base weights of a policy as a map of the same variables (adapters and value head left out): nothing is copied. */
export function baseWeightsOf(policy: Params): Params {
  return new Map([...policy].filter(([name]) => !isAdapterOrHead(name)));
}

/** Bytes the reference adds to training: a full copy of the weights, or nothing under LoRA. */
export function referenceBytes(config: GptConfig, method: 'full' | 'lora'): number {
  return method === 'lora' ? 0 : parameterCount(config) * 4;
}

/** The longest row a step packs: the longest prompt plus the response, within the context. */
export function rolloutLength(config: GptConfig, prompts: ReadonlyArray<{ ids: readonly number[] }>, maxNewTokens: number): number {
  const longest = prompts.reduce((m, p) => Math.max(m, p.ids.length), 1);
  return Math.min(config.contextLength, longest + maxNewTokens);
}
