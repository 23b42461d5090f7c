import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openModelInput } from '../lib/model-input.ts';
import { saveModelFolder } from '../lib/sized-write.ts';
import { addClassifierHead } from '../lib/gpt/model.ts';
import { DEFAULT_OPTIMIZER } from '../lib/train/optimizer.ts';
import { DEFAULT_SCHEDULE } from '../lib/train/schedule.ts';
import { assertFitsBackend } from '../lib/train/memory-check.ts';
import { encodeSplits, setupLora } from '../lib/align/pair-run.ts';
import { evaluatePairs, trainPairs } from '../lib/align/pair-trainer.ts';
import { rewardModelRewards } from '../lib/align/objectives.ts';
import { rewardPadId } from '../lib/align/reward.ts';
import { histogramCsv, rewardHistogram } from '../lib/align/histogram.ts';
import type { MetricsHandle, RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (inputs, p, ctx) => {
  const modelIn = await openModelInput(inputs.model);
  const { backend, config, params, tok, tokenizerPath } = modelIn;
  try {
    const context = p.context || config.contextLength;
    if (context > config.contextLength) throw new Error(`context ${context} is longer than the model's ${config.contextLength} tokens`);
    if (!config.causal) throw new Error('a reward model here is built on a decoder (causal) model, as the policy it scores');
    assertFitsBackend(backend, config, p.batchSize, context, p.gradAccum, p.method === 'lora' ? { rank: p.loraRank, targets: p.loraTargets.split(',').length } : undefined, undefined, { sequencesPerItem: 2 });
    const padId = rewardPadId(config, tok);
    // The reward head: kept when the model already is a reward model (training goes on), new otherwise.
    if (config.numClasses !== 1) addClassifierHead(params, config, 1, ctx.seed);
    if (params.has('lm_head.weight')) {
      params.get('lm_head.weight')!.dispose();
      params.delete('lm_head.weight');
    }
    const rmConfig = { ...config, numClasses: 1, labels: ['reward'], padTokenId: padId };
    const { train, validation } = await encodeSplits(inputs.preferences, modelIn, context, p.maxEvalPairs, ctx);
    const lora = p.method === 'lora' ? await setupLora(params, rmConfig, p, modelIn.dir, ctx, (name) => name.startsWith('score.')) : null;
    const rewards = rewardModelRewards(params, rmConfig, padId);
    const initial = validation ? await evaluatePairs(validation, rewards, p.batchSize) : null;
    if (initial) ctx.log.info(`held-out pairwise accuracy before training: ${initial.accuracy.toFixed(3)}`);
    const r = await trainPairs({
      config: rmConfig, params, train, ...(validation ? { validation } : {}), rewards, batchSize: p.batchSize, gradAccum: p.gradAccum, steps: p.steps, evalEvery: p.evalEvery,
      checkpointEvery: p.checkpointEvery, keepCheckpoints: p.keepCheckpoints, checkpointDir: ctx.checkpointDir,
      optimizer: inputs.optimizer?.settings ?? DEFAULT_OPTIMIZER, schedule: inputs.scheduler?.settings ?? { ...DEFAULT_SCHEDULE, lr: p.learningRate, warmupSteps: 10 },
      seed: ctx.seed, ...(lora ? { trainable: lora.trainable } : {}), signal: ctx.signal,
      progress: (step, total, metrics) => ctx.progress({ step, total, metrics }), log: (m) => ctx.log.info(m),
    });
    await lora?.finish(rmConfig);
    const model = await saveModelFolder(ctx.artifactDir, params, rmConfig, tokenizerPath);
    const values: Record<string, number> = { finalLoss: r.finalLoss };
    const tables: MetricsHandle['tables'] = { history: join(ctx.artifactDir, 'history.csv') };
    writeFileSync(tables.history!, ['step,loss,valLoss', ...r.history.map((h) => `${h.step},${h.loss},${h.valLoss ?? ''}`)].join('\n') + '\n');
    if (initial && r.validation) {
      const v = r.validation;
      Object.assign(values, {
        initialValAccuracy: initial.accuracy, valAccuracy: v.accuracy, valLoss: v.loss, valRewardMargin: v.margin,
        valChosenReward: v.chosenMean, valRejectedReward: v.rejectedMean, heldOutPairs: v.pairs,
      });
      tables.rewardHistogram = join(ctx.artifactDir, 'reward-histogram.csv');
      writeFileSync(tables.rewardHistogram, histogramCsv(rewardHistogram(initial, v, p.histogramBins)));
      ctx.log.info(`held-out pairwise accuracy ${v.accuracy.toFixed(3)} (before training ${initial.accuracy.toFixed(3)}); mean reward chosen ${v.chosenMean.toFixed(3)}, rejected ${v.rejectedMean.toFixed(3)}`);
    }
    return { outputs: { model, metrics: { kind: 'metrics', values, tables } }, metrics: values, backend };
  } finally {
    modelIn.dispose();
  }
};

export default run;
