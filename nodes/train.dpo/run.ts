import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openModelInput } from '../lib/model-input.ts';
import { saveModelFolder } from '../lib/sized-write.ts';
import { EOS } from '../lib/tokenizer.ts';
import { DEFAULT_OPTIMIZER } from '../lib/train/optimizer.ts';
import { DEFAULT_SCHEDULE } from '../lib/train/schedule.ts';
import { assertFitsBackend } from '../lib/train/memory-check.ts';
import { encodeSplits, setupLora } from '../lib/align/pair-run.ts';
import { evaluatePairs, trainPairs } from '../lib/align/pair-trainer.ts';
import { attachReference, dpoRewards, logProbPreference } from '../lib/align/objectives.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (inputs, p, ctx) => {
  const modelIn = await openModelInput(inputs.model);
  const { backend, config, params, tok, tokenizerPath } = modelIn;
  try {
    const context = p.context || config.contextLength;
    if (context > config.contextLength) throw new Error(`context ${context} is longer than the model's ${config.contextLength} tokens`);
    if (!config.causal || config.numClasses) throw new Error('DPO trains a language model (a causal model with its language-model head), not a classifier or reward model');
    assertFitsBackend(backend, config, p.batchSize, context, p.gradAccum, p.method === 'lora' ? { rank: p.loraRank, targets: p.loraTargets.split(',').length } : undefined, undefined, { sequencesPerItem: 2 });
    const padId = tok.specials[EOS] ?? config.padTokenId ?? config.eosTokenId ?? 0;
    const { train, validation } = await encodeSplits(inputs.preferences, modelIn, context, p.maxEvalPairs, ctx);
    const evalBatch = p.batchSize;

    // The reference's log-probabilities are computed once, before any step (and before a checkpoint is
    // restored), so the reference stays frozen and needs no second copy of the model in memory.
    ctx.log.info('scoring the pairs with the frozen reference');
    if (inputs.reference) {
      const ref = await openModelInput(inputs.reference);
      try {
        if (ref.config.vocabSize !== config.vocabSize || ref.tok.vocabSize !== tok.vocabSize) throw new Error('the reference model must share the policy\'s tokenizer and vocabulary');
        await attachReference(ref.params, ref.config, train, padId, evalBatch);
        if (validation) await attachReference(ref.params, ref.config, validation, padId, evalBatch);
      } finally {
        ref.dispose();
      }
    } else {
      await attachReference(params, config, train, padId, evalBatch);
      if (validation) await attachReference(params, config, validation, padId, evalBatch);
    }
    const policyBefore = validation ? await logProbPreference(params, config, validation, padId, evalBatch) : null;

    const lora = p.method === 'lora' ? await setupLora(params, config, p, modelIn.dir, ctx, () => false) : null;
    const rewards = dpoRewards(params, config, padId, p.beta);
    const initial = validation ? await evaluatePairs(validation, rewards, evalBatch) : null;
    const r = await trainPairs({
      config, params, train, ...(validation ? { validation } : {}), rewards, batchSize: p.batchSize, gradAccum: p.gradAccum, evalBatchSize: evalBatch, steps: p.steps, evalEvery: p.evalEvery,
      checkpointEvery: p.checkpointEvery, keepCheckpoints: p.keepCheckpoints, checkpointDir: ctx.checkpointDir,
      optimizer: inputs.optimizer?.settings ?? { ...DEFAULT_OPTIMIZER, weightDecay: 0 }, schedule: inputs.scheduler?.settings ?? { ...DEFAULT_SCHEDULE, lr: p.learningRate, warmupSteps: 10 },
      seed: ctx.seed, ...(lora ? { trainable: lora.trainable } : {}), signal: ctx.signal,
      progress: (step, total, metrics) => ctx.progress({ step, total, metrics }), log: (m) => ctx.log.info(m),
    });
    const policyAfter = validation ? await logProbPreference(params, config, validation, padId, evalBatch) : null;
    await lora?.finish(config);
    const model = await saveModelFolder(ctx.artifactDir, params, config, tokenizerPath);
    const values: Record<string, number> = { finalLoss: r.finalLoss, beta: p.beta };
    const history = join(ctx.artifactDir, 'history.csv');
    writeFileSync(history, ['step,loss,valLoss', ...r.history.map((h) => `${h.step},${h.loss},${h.valLoss ?? ''}`)].join('\n') + '\n');
    if (initial && r.validation && policyBefore !== null && policyAfter !== null) {
      const v = r.validation;
      Object.assign(values, {
        initialValPreferenceAccuracy: initial.accuracy, valPreferenceAccuracy: v.accuracy, valRewardMargin: v.margin, valLoss: v.loss,
        valChosenReward: v.chosenMean, valRejectedReward: v.rejectedMean, heldOutPairs: v.pairs,
        policyPrefersChosenBefore: policyBefore, policyPrefersChosenAfter: policyAfter,
      });
      ctx.log.info(
        `held-out preference accuracy ${initial.accuracy.toFixed(3)} -> ${v.accuracy.toFixed(3)}, implicit reward margin ${v.margin.toFixed(3)}; ` +
          `the policy gives the chosen response the higher probability in ${(100 * policyBefore).toFixed(1)}% -> ${(100 * policyAfter).toFixed(1)}% of held-out pairs`,
      );
    }
    return { outputs: { model, metrics: { kind: 'metrics', values, tables: { history } } }, metrics: values, backend };
  } finally {
    modelIn.dispose();
  }
};

export default run;
