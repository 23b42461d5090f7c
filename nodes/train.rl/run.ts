import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../lib/backend.ts';
import { openModelInput, type OpenedModel } from '../lib/model-input.ts';
import { loadModelFolder, saveModelFolder } from '../lib/gpt/io.ts';
import { disposeParams, newVariable, type Params } from '../lib/gpt/model.ts';
import { EOS, type TextTokenizer } from '../lib/tokenizer.ts';
import { readAll, withSplitFiles, type DatasetHandle, type SplitName } from '../lib/dataset.ts';
import { DEFAULT_OPTIMIZER } from '../lib/train/optimizer.ts';
import { DEFAULT_SCHEDULE } from '../lib/train/schedule.ts';
import { writePeftAdapter } from '../lib/gpt/peft.ts';
import { readChatFormat, writeChatFormat } from '../lib/chat-template.ts';
import { builtinReward, modelReward, referenceOf, rewardModelProblem, type BuiltinReward, type RewardFunction } from '../lib/rl/rewards.ts';
import { roomAfter } from '../lib/rl/sampler.ts';
import { VALUE_HEAD } from '../lib/rl/objective.ts';
import type { PromptItem } from '../lib/rl/held-out.ts';
import { trainRl } from '../lib/rl/trainer.ts';
import { baseWeightsOf, referenceBytes, rolloutLength } from '../lib/rl/reference.ts';
import { assertFitsBackend } from '../lib/train/memory-check.ts';
import type { GptConfig } from '../lib/gpt/config.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

/** The prompts of a split, tokenized; each must leave room for a response, and exact match needs a reference. */
async function promptsOf(dataset: DatasetHandle, split: SplitName, tok: TextTokenizer, config: GptConfig, o: { limit?: number; needReference: boolean; endOfText: string }): Promise<PromptItem[]> {
  const rows = (await readAll(dataset, split)).slice(0, o.limit);
  // As generation prompts: with BOS where the tokenizer adds one.
  const ids = await tok.encodeTexts(rows.map((r) => (typeof r.prompt === 'string' ? r.prompt : '')), rows.map(() => true));
  return rows.map((record, i) => {
    const where = `${split} record ${i + 1}`;
    if (typeof record.prompt !== 'string' || !record.prompt) {
      throw new Error(`${where} has no prompt${record.messages ? ' (it is a conversation: render it with a Chat format node first)' : ''}`);
    }
    if (o.needReference && referenceOf(record, o.endOfText) === undefined) throw new Error(`${where} has no reference answer ("answer" or "response") for the exact-match reward`);
    if (roomAfter(config, ids[i]!.length, 1) < 1) throw new Error(`${where}: its prompt of ${ids[i]!.length} tokens fills the model's context of ${config.contextLength}; no room for a response`);
    return { text: record.prompt, ids: ids[i]!, record };
  });
}

function csv(rows: Array<Record<string, number>>): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [columns.join(','), ...rows.map((r) => columns.map((c) => (r[c] === undefined ? '' : String(r[c]))).join(','))].join('\n') + '\n';
}

const run: RunOf<typeof spec> = async (inputs, p, ctx) => {
  if (inputs.reward) {
    const problem = rewardModelProblem(inputs.reward.config);
    if (problem) throw new Error(`reward input (${inputs.reward.dir}): ${problem}`);
  } else if (p.reward === 'model') throw new Error('reward "model" needs a reward model connected to the reward input');
  const dataset = withSplitFiles(inputs.dataset);
  const heldOutSplit: SplitName | undefined = dataset.splits.validation?.rows ? 'validation' : dataset.splits.test?.rows ? 'test' : undefined;
  if (!dataset.splits.train?.rows) throw new Error('the dataset has no train split of prompts');
  if (!heldOutSplit) throw new Error('the dataset has no validation or test split for the held-out evaluation; add a Split node');
  const endOfText = dataset.chat?.endOfText ?? EOS;
  const opened: OpenedModel[] = [];
  // A copy of the starting weights (full training), disposed at the end; or a view of the policy's own (LoRA).
  let reference: Params | null = null;
  let referenceView: Params | null = null;
  try {
    const modelIn = await openModelInput(inputs.model);
    opened.push(modelIn);
    const { backend, config, params, tok } = modelIn;
    if (!config.causal) throw new Error('reinforcement learning here needs a decoder (causal) model');
    const rm = inputs.reward ? await openModelInput(inputs.reward) : null;
    if (rm) opened.push(rm);
    const reward: RewardFunction = rm ? modelReward(rm) : builtinReward(p.reward as BuiltinReward, { pattern: p.pattern, endOfText });
    // The check reward scores held-out responses only, so only held-out records need its reference answers.
    const check = p.checkReward === 'none' ? undefined : builtinReward(p.checkReward, { pattern: p.pattern, endOfText });
    const needReference = !rm && p.reward === 'exact-match';
    const prompts = await promptsOf(dataset, 'train', tok, config, { needReference, endOfText });
    const heldOut = await promptsOf(dataset, heldOutSplit, tok, config, { needReference: needReference || p.checkReward === 'exact-match', endOfText, limit: p.evalPrompts });
    const stopTokens = [...new Set([tok.specials[endOfText], tok.specials[EOS], config.eosTokenId].filter((x): x is number => typeof x === 'number' && x >= 0))];
    if (!stopTokens.length) ctx.log.warn('the tokenizer has no end-of-text token: every response runs to maxNewTokens');
    ctx.log.info(`${prompts.length} training prompts, ${heldOut.length} held-out (${heldOutSplit}); ${p.algorithm.toUpperCase()}, ${p.promptsPerStep} prompts x ${p.groupSize} responses a step`);

    const lora = p.method === 'lora' ? await import('../lib/gpt/lora.ts') : null;
    const loraSettings = lora ? { rank: p.loraRank, alpha: p.loraAlpha, targets: lora.parseTargets(p.loraTargets) } : null;
    assertFitsBackend(backend, config, p.promptsPerStep, rolloutLength(config, [...prompts, ...heldOut], p.maxNewTokens), 1, loraSettings ? { rank: loraSettings.rank, targets: loraSettings.targets.length } : undefined, undefined, {
      extraBytes: referenceBytes(config, p.method),
      what: 'reinforcement learning',
      // Each prompt is sampled groupSize times; RL has no accumulation setting.
      sequencesPerItem: p.groupSize,
      accumulation: false,
      batch: (n) => `${n} prompt${n === 1 ? '' : 's'} per step`,
    });
    // The frozen reference. With LoRA the base weights never change, so the reference is the policy's own
    // base variables with the adapters left out (no copy); full training needs a copy of the starting weights.
    if (p.method === 'lora') referenceView = baseWeightsOf(params);
    else {
      reference = loadModelFolder(modelIn.dir).params;
      for (const v of reference.values()) v.trainable = false;
    }
    const adapters = lora && loraSettings ? lora.addLora(params, config, loraSettings, ctx.seed + 1) : [];
    if (p.algorithm === 'ppo') {
      // The value head reads the policy's last hidden state; it trains with the policy and is not saved with it.
      params.set(VALUE_HEAD[0], newVariable(() => tf.zeros([config.width, 1])));
      params.set(VALUE_HEAD[1], newVariable(() => tf.zeros([1])));
    }
    const trainable = lora ? (name: string) => adapters.includes(name) || (VALUE_HEAD as readonly string[]).includes(name) : undefined;
    const r = await trainRl({
      algorithm: p.algorithm, config, params, tok, prompts, heldOut, reward, reference: (reference ?? referenceView)!,
      promptsPerStep: p.promptsPerStep, groupSize: p.groupSize, maxNewTokens: p.maxNewTokens, temperature: p.temperature, beta: p.beta,
      clipEpsilon: p.clipEpsilon, updatesPerBatch: p.updatesPerBatch, scaleRewards: p.scaleRewards, valueCoef: p.valueCoef, valueClip: 0.2,
      gamma: p.gamma, lambda: p.lambda, stopTokens, padId: stopTokens[0] ?? 0, samplesEvery: p.samplesEvery, evalTemperature: p.evalTemperature, evalSamples: p.evalSamples,
      steps: p.steps, evalEvery: p.evalEvery, checkpointEvery: p.checkpointEvery, keepCheckpoints: p.keepCheckpoints, checkpointDir: ctx.checkpointDir,
      optimizer: inputs.optimizer?.settings ?? DEFAULT_OPTIMIZER,
      schedule: inputs.scheduler?.settings ?? { ...DEFAULT_SCHEDULE, kind: 'constant', lr: p.learningRate, warmupSteps: 0 },
      ...(check ? { check } : {}), seed: ctx.seed, trainable, signal: ctx.signal,
      progress: (step, total, metrics) => ctx.progress({ step, total, metrics }),
      log: (m) => ctx.log.info(m),
    });

    for (const name of VALUE_HEAD) {
      params.get(name)?.dispose();
      params.delete(name);
    }
    if (lora && loraSettings) {
      await writePeftAdapter(join(ctx.artifactDir, 'adapter'), params, config, loraSettings, modelIn.dir);
      ctx.log.info(`merged ${lora.mergeLora(params)} LoRA adapters into the base weights; the adapter alone is in adapter/ (PEFT format)`);
    }
    const model = await saveModelFolder(ctx.artifactDir, params, config, modelIn.tokenizerPath);
    const chat = dataset.chat ?? readChatFormat(modelIn.dir);
    if (chat) writeChatFormat(ctx.artifactDir, chat, config.contextLength);

    // What a person reads: held-out responses before and after, the sampled responses during training, every step's metrics.
    const heldOutTable = r.before.rows.map((b, i) => {
      const a = r.after.rows[i]!;
      return { prompt: b.prompt, before: b.response, rewardBefore: b.reward, ...(check ? { checkBefore: b.check } : {}), after: a.response, rewardAfter: a.reward, ...(check ? { checkAfter: a.check } : {}) };
    });
    writeFileSync(join(ctx.artifactDir, 'samples.json'), JSON.stringify(heldOutTable, null, 2));
    // Newest first: the editor's preview shows a table's first rows.
    writeFileSync(join(ctx.artifactDir, 'rollouts.json'), JSON.stringify([...r.rollouts].reverse(), null, 2));
    writeFileSync(join(ctx.artifactDir, 'history.csv'), csv(r.steps));
    const last: Record<string, number> = r.steps.at(-1) ?? {};
    const values: Record<string, number> = { rewardBefore: r.before.meanReward, rewardAfter: r.after.meanReward, heldOutPrompts: heldOut.length };
    if (r.before.meanCheck !== undefined && r.after.meanCheck !== undefined) Object.assign(values, { checkBefore: r.before.meanCheck, checkAfter: r.after.meanCheck });
    for (const k of ['reward', 'kl', 'entropy', 'responseLength', 'clipFraction', 'valueLoss'] as const) if (typeof last[k] === 'number') values[k] = last[k];
    return { outputs: { model, metrics: { kind: 'metrics', values, tables: { samples: 'samples.json', rollouts: 'rollouts.json', history: 'history.csv' } } }, metrics: values, backend };
  } finally {
    if (reference) disposeParams(reference);
    for (const m of opened) m.dispose();
  }
};

export default run;
