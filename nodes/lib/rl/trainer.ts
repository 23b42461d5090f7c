/**
 * The reinforcement-learning loop (GRPO or PPO). Each step: a slice of the prompts (shuffled per
 * epoch, seeded), a group of sampled responses to each, their rewards, log-probabilities under the
 * sampling policy and the frozen reference, advantages, then one or more clipped updates. Every
 * random draw is a function of the seed and the step, so a run resumed from a checkpoint is
 * bit-identical to an uninterrupted one; each step's tensors are freed within the step.
 */
import { tf } from '../backend.ts';
import type { Params } from '../gpt/model.ts';
import { Prng } from '../prng.ts';
import type { TextTokenizer } from '../tokenizer.ts';
import { saveCheckpoint, startingState, type TrainState } from '../train/checkpoint.ts';
import { learningSetup, type TrainLoopOptions } from '../train/loop-options.ts';
import { learningRate } from '../train/schedule.ts';
import { applyUpdate } from '../train/update.ts';
import { gae, groupAdvantages, whiten } from './advantages.ts';
import { packRollouts, type PackedBatch, type Rollout } from './batch.ts';
import { evaluateHeldOut, responseTexts, type HeldOutResult, type PromptItem } from './held-out.ts';
import { logProbsOf, tokenScores } from './logprobs.ts';
import { grpoLoss, ppoLoss, valuesOf, type LossStats } from './objective.ts';
import type { RewardFunction, Scored } from './rewards.ts';
import { sampleGroup } from './sampler.ts';

export interface RlOptions extends Omit<TrainLoopOptions, 'batchSize'> {
  algorithm: 'grpo' | 'ppo';
  tok: TextTokenizer;
  prompts: PromptItem[];
  heldOut: PromptItem[];
  reward: RewardFunction;
  /** A second score of the held-out responses only (never trained on), so the reward can be checked independently. */
  check?: RewardFunction;
  /** The frozen reference: a copy of the starting model, or under LoRA the policy's base weights without the adapters. */
  reference: Params;
  promptsPerStep: number;
  groupSize: number;
  maxNewTokens: number;
  temperature: number;
  /** GRPO: weight of the KL term in the loss. PPO: KL penalty per token in the reward. */
  beta: number;
  clipEpsilon: number;
  updatesPerBatch: number;
  /** GRPO: divide advantages by the group's standard deviation. */
  scaleRewards: boolean;
  valueCoef: number;
  valueClip: number;
  gamma: number;
  lambda: number;
  stopTokens: number[];
  padId: number;
  /** Held-out evaluation: 0 greedy, else sampled at this temperature, evalSamples responses per prompt. */
  evalTemperature: number;
  evalSamples: number;
  /** Log a sample (and add it to the rollout table) every this many steps. */
  samplesEvery: number;
}

export interface StepRecord {
  step: number;
  [metric: string]: number;
}

export interface RolloutRow {
  step: number;
  prompt: string;
  response: string;
  reward: number;
}

interface RlState extends TrainState {
  rl?: { steps: StepRecord[]; rollouts: RolloutRow[]; before: HeldOutResult };
}

export interface RlResult {
  before: HeldOutResult;
  after: HeldOutResult;
  steps: StepRecord[];
  rollouts: RolloutRow[];
  resumedFrom: number | null;
}

const abortError = () => Object.assign(new Error('cancelled'), { name: 'AbortError' });

/** A seed for (run seed, step, salt), spread so neighbouring steps draw unrelated numbers. */
function seedOf(seed: number, step: number, salt: number): number {
  const rng = new Prng([seed >>> 0, step >>> 0, salt >>> 0, 0x9e3779b9]);
  for (let i = 0; i < 12; i++) rng.nextUint32();
  return rng.nextUint32();
}

/** The prompts of a step: epoch after epoch through a seeded shuffle of all of them. */
function promptsOfStep(o: RlOptions, step: number, orders: Map<number, number[]>): number[] {
  const n = o.prompts.length;
  return Array.from({ length: o.promptsPerStep }, (_, k) => {
    const global = step * o.promptsPerStep + k;
    const epoch = Math.floor(global / n);
    let order = orders.get(epoch);
    if (!order) {
      order = new Prng(seedOf(o.seed, epoch, 1)).shuffle(Array.from({ length: n }, (_, i) => i));
      orders.clear();
      orders.set(epoch, order);
    }
    return order[global % n]!;
  });
}

/** k3 estimate of KL(policy || reference) per token, averaged over each response, then over responses. */
function klOf(batch: PackedBatch, logp: Float32Array, ref: Float32Array): number {
  let total = 0;
  for (let b = 0; b < batch.rows; b++) {
    let sum = 0;
    let n = 0;
    for (let t = 0; t < batch.length; t++) {
      const i = b * batch.length + t;
      if (!batch.mask[i]) continue;
      const d = ref[i]! - logp[i]!;
      sum += Math.exp(d) - d - 1;
      n++;
    }
    total += n ? sum / n : 0;
  }
  return total / batch.rows;
}

async function readStats(s: LossStats | null): Promise<{ entropy: number; clipFraction: number; valueLoss?: number }> {
  if (!s) return { entropy: Number.NaN, clipFraction: Number.NaN };
  const read = async (t: tf.Scalar) => {
    const v = (await t.data())[0]!;
    t.dispose();
    return v;
  };
  return { entropy: await read(s.entropy), clipFraction: await read(s.clipFraction), ...(s.valueLoss ? { valueLoss: await read(s.valueLoss) } : {}) };
}

async function rollout(o: RlOptions, step: number, orders: Map<number, number[]>): Promise<{ rollouts: Rollout[]; scored: Scored[] }> {
  const rollouts: Rollout[] = [];
  const scored: Scored[] = [];
  for (const [k, index] of promptsOfStep(o, step, orders).entries()) {
    const item = o.prompts[index]!;
    const group = await sampleGroup(o.params, o.config, item.ids, o.groupSize, {
      maxNewTokens: o.maxNewTokens, temperature: o.temperature, stopTokens: o.stopTokens, seed: seedOf(o.seed, step, 100 + k), signal: o.signal,
    });
    for (const r of group) {
      rollouts.push({ promptIndex: index, prompt: item.ids, response: r.ids, stopped: r.stopped });
      scored.push({ prompt: item.text, record: item.record, ...(await responseTexts(o.tok, r.ids, r.stopped)) });
    }
  }
  return { rollouts, scored };
}

/** PPO's per-token advantages and returns: rewards are -beta x (logp - ref) per token plus the score on the last one. */
async function ppoTargets(o: RlOptions, batch: PackedBatch, rewards: number[], old: Float32Array, ref: Float32Array) {
  const v = tf.tidy(() => valuesOf(o.params, tokenScores(o.params, o.config, batch, o.temperature).hidden, batch.rows, batch.length));
  const oldValues = (await v.data()) as Float32Array;
  v.dispose();
  const perToken = new Float32Array(batch.rows * batch.length);
  for (let b = 0; b < batch.rows; b++) {
    let lastIndex = -1;
    for (let t = 0; t < batch.length; t++) {
      const i = b * batch.length + t;
      if (!batch.mask[i]) continue;
      perToken[i] = -o.beta * (old[i]! - ref[i]!);
      lastIndex = i;
    }
    if (lastIndex >= 0) perToken[lastIndex]! += rewards[b]!;
  }
  const { advantages, returns } = gae(perToken, oldValues, batch.mask, batch.rows, batch.length, o.gamma, o.lambda);
  return { oldValues, advantages: whiten(advantages, batch.mask), returns };
}

function checkNote(now: HeldOutResult, before?: HeldOutResult): string {
  if (now.meanCheck === undefined) return '';
  return `; check reward ${now.meanCheck.toFixed(4)}${before?.meanCheck !== undefined ? ` (before: ${before.meanCheck.toFixed(4)})` : ''}`;
}

export async function trainRl(o: RlOptions): Promise<RlResult> {
  const { learning, vars, byVarName, optimizer, unfreeze } = learningSetup(o);
  const evaluate = () => evaluateHeldOut(o.params, o.config, o.tok, o.heldOut, o.reward, { maxNewTokens: o.maxNewTokens, stopTokens: o.stopTokens, temperature: o.evalTemperature, samples: o.evalSamples, signal: o.signal, ...(o.check ? { check: o.check } : {}) });
  try {
    const { state: s, resumedFrom } = startingState(o, optimizer);
    const state = s as RlState;
    if (!state.rl) {
      o.log(`held-out evaluation of the starting model on ${o.heldOut.length} prompts`);
      state.rl = { steps: [], rollouts: [], before: await evaluate() };
      o.log(`held-out mean reward before: ${state.rl.before.meanReward.toFixed(4)}${checkNote(state.rl.before)}`);
    }
    const rl = state.rl;
    const orders = new Map<number, number[]>();
    const started = performance.now();
    const secondsBefore = state.trainingSeconds ?? 0;
    while (state.step < o.steps) {
      if (o.signal?.aborted) throw abortError();
      const lr = learningRate(o.schedule, state.step, o.steps);
      const { rollouts, scored } = await rollout(o, state.step, orders);
      const rewards = await o.reward(scored);
      const batch = packRollouts(rollouts, o.padId);
      const old = await logProbsOf(o.params, o.config, batch, o.temperature);
      const ref = await logProbsOf(o.reference, o.config, batch, o.temperature);
      const ppo = o.algorithm === 'ppo' ? await ppoTargets(o, batch, rewards, old, ref) : null;
      const advantages = ppo ? null : groupAdvantages(rewards, o.groupSize, o.scaleRewards);
      let loss = 0;
      let gradNorm = 0;
      const sums = { entropy: 0, clipFraction: 0, valueLoss: 0 };
      for (let u = 0; u < o.updatesPerBatch; u++) {
        if (o.signal?.aborted) throw abortError();
        let kept = null as LossStats | null;
        const keep = (x: LossStats) => void (kept = x);
        const { value, grads } = tf.variableGrads(
          () =>
            ppo
              ? ppoLoss(o.params, o.config, { batch, oldLogProbs: old, oldValues: ppo.oldValues, advantages: ppo.advantages, returns: ppo.returns, clipEpsilon: o.clipEpsilon, valueClip: o.valueClip, valueCoef: o.valueCoef, temperature: o.temperature }, keep)
              : grpoLoss(o.params, o.config, { batch, oldLogProbs: old, refLogProbs: ref, advantages: advantages!, clipEpsilon: o.clipEpsilon, beta: o.beta, temperature: o.temperature }, keep),
          vars,
        );
        loss = (await value.data())[0]!;
        value.dispose();
        const stats = await readStats(kept);
        sums.entropy += stats.entropy;
        sums.clipFraction += stats.clipFraction;
        sums.valueLoss += stats.valueLoss ?? 0;
        const named = new Map(Object.entries(grads).map(([k, g]) => [byVarName.get(k)!, g]));
        gradNorm = await applyUpdate(optimizer, named, lr, loss, state.step + 1);
      }
      state.step++;
      state.optimizerStep = optimizer.step;
      state.tokensSeen += batch.responseLengths.reduce((a, b) => a + b, 0);
      const meanReward = rewards.reduce((a, b) => a + b, 0) / rewards.length;
      const metrics: Record<string, number> = {
        reward: meanReward,
        rewardStd: Math.sqrt(rewards.reduce((a, r) => a + (r - meanReward) ** 2, 0) / rewards.length),
        kl: klOf(batch, old, ref),
        entropy: sums.entropy / o.updatesPerBatch,
        responseLength: batch.responseLengths.reduce((a, b) => a + b, 0) / batch.rows,
        clipFraction: sums.clipFraction / o.updatesPerBatch,
        loss,
        gradNorm,
        lr,
      };
      if (ppo) metrics.valueLoss = sums.valueLoss / o.updatesPerBatch;
      if (o.evalEvery > 0 && state.step % o.evalEvery === 0 && state.step < o.steps) {
        const held = await evaluate();
        metrics.heldOutReward = held.meanReward;
        if (held.meanCheck !== undefined) metrics.heldOutCheck = held.meanCheck;
      }
      rl.steps.push({ step: state.step, ...metrics });
      if (o.samplesEvery > 0 && (state.step % o.samplesEvery === 0 || state.step === 1)) {
        const row = { step: state.step, prompt: scored[0]!.prompt, response: scored[0]!.response, reward: rewards[0]! };
        rl.rollouts.push(row);
        o.log(`step ${state.step}: ${JSON.stringify(row.prompt)} -> ${JSON.stringify(row.response)} (reward ${row.reward.toFixed(3)})`);
      }
      state.trainingSeconds = secondsBefore + (performance.now() - started) / 1000;
      if (o.checkpointEvery > 0 && (state.step % o.checkpointEvery === 0 || state.step === o.steps)) {
        await saveCheckpoint(o.checkpointDir, state, o.params, optimizer, o.keepCheckpoints, false);
      }
      await o.progress(state.step, o.steps, metrics);
    }
    const after = await evaluate();
    o.log(`held-out mean reward after: ${after.meanReward.toFixed(4)} (before: ${rl.before.meanReward.toFixed(4)})${checkNote(after, rl.before)}`);
    return { before: rl.before, after, steps: rl.steps, rollouts: rl.rollouts, resumedFrom };
  } finally {
    unfreeze();
    optimizer.dispose();
  }
}
