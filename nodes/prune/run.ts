import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parameterCount } from '../lib/gpt/config.ts';
import { saveModelFolder } from '../lib/sized-write.ts';
import { openModelInput } from '../lib/model-input.ts';
import { measureSparsity, pruneByMagnitude, type Masks } from '../lib/prune/unstructured.ts';
import { pruneHeads, pruneMlpNeurons } from '../lib/prune/structured.ts';
import { heldOutLoss, heldOutWindows } from '../lib/train/held-out.ts';
import { trainLanguageModel } from '../lib/train/lm-trainer.ts';
import { assertFitsBackend } from '../lib/train/memory-check.ts';
import { DEFAULT_OPTIMIZER } from '../lib/train/optimizer.ts';
import { DEFAULT_SCHEDULE } from '../lib/train/schedule.ts';
import { needTokens, openTokenSets, type TokenSets } from '../lib/train/token-sets.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (inputs, p, ctx) => {
  const modelIn = await openModelInput(inputs.model);
  const { backend, params, tok } = modelIn;
  let config = modelIn.config;
  let sets: TokenSets | undefined;
  let masks: Masks | undefined;
  try {
    const context = p.context || config.contextLength;
    if (context > config.contextLength) throw new Error(`context ${context} is longer than the model's ${config.contextLength} tokens`);
    if (!config.causal) throw new Error('pruning here needs a decoder (causal) model, to measure its perplexity');
    const source = inputs.data ?? inputs.text;
    if (!source) throw new Error('connect data (a Dataset) or text (a Text) to measure perplexity on');
    sets = await openTokenSets(tok, source, join(ctx.checkpointDir, 'data'), 'the data');
    const held = heldOutWindows(sets.heldOut, context, p.evalWindows, sets.heldOutName);
    const perplexity = async () => Math.exp(await heldOutLoss(params, config, held, p.batchSize, ctx.signal));
    const total = 2 + (p.recoverySteps > 0 ? p.recoverySteps + 1 : 0);
    const values: Record<string, number> = { parametersBefore: parameterCount(config) };
    values.perplexityBefore = await perplexity();
    await ctx.progress({ step: 1, total, metrics: { perplexityBefore: values.perplexityBefore } });
    ctx.log.info(`perplexity before pruning ${values.perplexityBefore.toFixed(3)} on ${held.count} windows of ${sets.heldOutName}`);

    if (p.method === 'unstructured') masks = await pruneByMagnitude(params, p.sparsity);
    else {
      const r = p.method === 'mlp-neurons' ? await pruneMlpNeurons(params, config, p.sparsity) : await pruneHeads(params, config, p.sparsity);
      config = r.config;
      values.removedPerLayer = r.removedPerLayer;
      writeFileSync(join(ctx.artifactDir, 'kept.json'), JSON.stringify({ method: p.method, keptPerLayer: r.kept }, null, 1));
      ctx.log.info(`removed ${r.removedPerLayer} ${p.method === 'mlp-neurons' ? 'MLP neurons' : 'attention heads'} per layer`);
    }
    values.perplexityAfterPruning = await perplexity();
    await ctx.progress({ step: 2, total, metrics: { perplexityAfterPruning: values.perplexityAfterPruning } });
    ctx.log.info(`perplexity after pruning ${values.perplexityAfterPruning.toFixed(3)}`);

    if (p.recoverySteps > 0) {
      needTokens(sets.train, context, 'the data');
      assertFitsBackend(backend, config, p.batchSize, context, 1, undefined, undefined, { accumulation: false });
      const r = await trainLanguageModel({
        config, params, train: sets.train, objective: 'causal', maskProbability: 0, batchSize: p.batchSize, context, steps: p.recoverySteps, gradAccum: 1,
        evalEvery: p.recoverySteps, evalBatches: 1, checkpointEvery: p.checkpointEvery, keepCheckpoints: 2, checkpointDir: join(ctx.checkpointDir, 'recovery'),
        optimizer: inputs.optimizer?.settings ?? DEFAULT_OPTIMIZER,
        schedule: inputs.scheduler?.settings ?? { ...DEFAULT_SCHEDULE, kind: 'constant', lr: p.learningRate, warmupSteps: 10 },
        seed: ctx.seed, signal: ctx.signal,
        // Pruned weights stay pruned: the optimizer's update (and weight decay) would revive them.
        afterUpdate: masks ? () => masks!.apply(params) : undefined,
        progress: (step, _total, metrics) => ctx.progress({ step: 2 + step, total, metrics }),
        log: (m) => ctx.log.info(m),
      });
      values.finalLoss = r.finalLoss;
      values.perplexityAfterRecovery = await perplexity();
      ctx.log.info(`perplexity after ${p.recoverySteps} recovery steps ${values.perplexityAfterRecovery.toFixed(3)}`);
    }
    const s = await measureSparsity(params);
    values.parameters = parameterCount(config);
    values.nonZeroParameters = values.parameters - s.zeros;
    values.sparsity = s.zeros / Math.max(1, s.total);
    await ctx.progress({ step: total, total, metrics: values });
    const table = join(ctx.artifactDir, 'sparsity.csv');
    writeFileSync(table, 'matrix,sparsity\n' + Object.entries(s.perMatrix).map(([m, z]) => `${m},${z}`).join('\n') + '\n');
    const model = await saveModelFolder(ctx.artifactDir, params, config, modelIn.tokenizerPath);
    return { outputs: { model, metrics: { kind: 'metrics', values, tables: { sparsity: table } } }, metrics: values, backend };
  } finally {
    masks?.dispose();
    sets?.close();
    modelIn.dispose();
  }
};

export default run;
