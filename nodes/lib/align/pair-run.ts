/**
 * What Reward model and DPO training do around their loop: read and encode the pairs as the policy
 * sees them, set up LoRA (and merge it, writing the PEFT adapter, at the end), report progress.
 */
import { join } from 'node:path';
import type { NodeContext, PreferencesHandle } from '../../sdk/index.ts';
import type { GptConfig } from '../gpt/config.ts';
import type { Params } from '../gpt/model.ts';
import type { OpenedModel } from '../model-input.ts';
import { writePeftAdapter } from '../gpt/peft.ts';
import { chatFormatOf, encodePairs, type EncodedPair } from './pair-encoding.ts';
import { readPreferences } from './preferences.ts';

export interface EncodedSplits {
  train: EncodedPair[];
  /** The held-out pairs (the validation split, else test), at most maxEvalPairs; undefined when there are none. */
  validation?: EncodedPair[];
}

export async function encodeSplits(prefs: PreferencesHandle, model: OpenedModel, context: number, maxEvalPairs: number, ctx: NodeContext): Promise<EncodedSplits> {
  const chat = chatFormatOf(model.dir, model.tok);
  const trainRecords = await readPreferences(prefs, 'train');
  if (!trainRecords.length) throw new Error('the preference pairs have no train split');
  const heldOutSplit = prefs.splits.validation ? 'validation' : prefs.splits.test ? 'test' : null;
  const heldOutRecords = heldOutSplit ? (await readPreferences(prefs, heldOutSplit)).slice(0, maxEvalPairs) : [];
  const train = await encodePairs(model.tok, trainRecords, chat, context);
  const held = heldOutRecords.length ? await encodePairs(model.tok, heldOutRecords, chat, context) : null;
  const cut = train.truncated + (held?.truncated ?? 0);
  if (cut) ctx.log.warn(`${cut} pair(s) longer than ${context} tokens were cut (prompt beginnings first)`);
  if (!held) {
    ctx.log.warn('the preference pairs have no held-out split, so nothing measures how well the preference generalises; set "Held out" in Preference pairs to keep some pairs out of training');
  }
  ctx.log.info(`${train.pairs.length} training pairs${held ? `, ${held.pairs.length} held-out pairs (${heldOutSplit} split)` : ''}`);
  return { train: train.pairs, ...(held ? { validation: held.pairs } : {}) };
}

export interface LoraSetup {
  trainable: (name: string) => boolean;
  /** Writes the adapter (PEFT format, in adapter/) and merges it into the weights. */
  finish(config: GptConfig): Promise<void>;
}

/** LoRA adapters on the target matrices; `alsoLearns` names what else trains (a new reward head). */
export async function setupLora(params: Params, config: GptConfig, p: { loraRank: number; loraAlpha: number; loraTargets: string }, modelDir: string, ctx: NodeContext, alsoLearns: (name: string) => boolean): Promise<LoraSetup> {
  const lora = await import('../gpt/lora.ts');
  const settings = { rank: p.loraRank, alpha: p.loraAlpha, targets: lora.parseTargets(p.loraTargets) };
  const adapters = new Set(lora.addLora(params, config, settings, ctx.seed + 1));
  return {
    trainable: (name) => adapters.has(name) || alsoLearns(name),
    async finish(finalConfig) {
      await writePeftAdapter(join(ctx.artifactDir, 'adapter'), params, finalConfig, settings, modelDir);
      ctx.log.info(`merged ${lora.mergeLora(params)} LoRA adapters into the base weights; the adapter alone is in adapter/ (PEFT format)`);
    },
  };
}
