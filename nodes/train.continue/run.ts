import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openModelInput } from '../lib/model-input.ts';
import { saveModelFolder } from '../lib/sized-write.ts';
import { assertFitsBackend } from '../lib/train/memory-check.ts';
import { heldOutLoss, heldOutWindows } from '../lib/train/held-out.ts';
import { trainLanguageModel } from '../lib/train/lm-trainer.ts';
import { DEFAULT_OPTIMIZER } from '../lib/train/optimizer.ts';
import { DEFAULT_SCHEDULE } from '../lib/train/schedule.ts';
import { needTokens, openTokenSets, type TokenSets } from '../lib/train/token-sets.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (inputs, p, ctx) => {
  const modelIn = await openModelInput(inputs.model);
  const { backend, config, params, tok } = modelIn;
  const opened: TokenSets[] = [];
  try {
    const context = p.context || config.contextLength;
    if (context > config.contextLength) throw new Error(`context ${context} is longer than the model's ${config.contextLength} tokens`);
    if (!config.causal) throw new Error('continued training here needs a decoder (causal) model');
    assertFitsBackend(backend, config, p.batchSize, context, p.gradAccum);
    const newInput = inputs.newData ?? inputs.newText;
    const oldInput = inputs.oldData ?? inputs.oldText;
    if (!newInput) throw new Error('connect the new data (newData or newText)');
    if (!oldInput) throw new Error('connect the old data (oldData or oldText)');
    // Token files live in the checkpoint folder, one subfolder per input: kept across an interruption.
    const fresh = await openTokenSets(tok, newInput, join(ctx.checkpointDir, 'new-data'), 'the new data');
    opened.push(fresh);
    const old = await openTokenSets(tok, oldInput, join(ctx.checkpointDir, 'old-data'), 'the old data');
    opened.push(old);
    needTokens(fresh.train, context, 'the new data');
    if (p.replayShare > 0) needTokens(old.train, context, 'the old data');
    const heldNew = heldOutWindows(fresh.heldOut, context, p.evalWindows, fresh.heldOutName);
    const heldOld = heldOutWindows(old.heldOut, context, p.evalWindows, old.heldOutName);
    ctx.log.info(`measuring the gain on ${heldNew.count} windows of ${fresh.heldOutName}, forgetting on ${heldOld.count} windows of ${old.heldOutName}`);
    const measure = async () => ({
      newLoss: await heldOutLoss(params, config, heldNew, p.batchSize, ctx.signal),
      oldLoss: await heldOutLoss(params, config, heldOld, p.batchSize, ctx.signal),
    });
    // "Before" is always the input model's: measured before a resumed run loads its checkpoint.
    const before = await measure();
    ctx.log.info(`before: new-data loss ${before.newLoss.toFixed(4)}, old-data loss ${before.oldLoss.toFixed(4)}; replay share ${p.replayShare}`);
    const curve: Array<{ step: number; loss: number; newLoss?: number; oldLoss?: number }> = [];
    const result = await trainLanguageModel({
      config,
      params,
      train: fresh.train,
      replay: { source: old.train, share: p.replayShare },
      objective: 'causal',
      maskProbability: 0,
      batchSize: p.batchSize,
      context,
      steps: p.steps,
      gradAccum: p.gradAccum,
      evalEvery: p.evalEvery,
      evalBatches: 1,
      checkpointEvery: p.checkpointEvery,
      keepCheckpoints: p.keepCheckpoints,
      checkpointDir: ctx.checkpointDir,
      optimizer: inputs.optimizer?.settings ?? DEFAULT_OPTIMIZER,
      schedule: inputs.scheduler?.settings ?? { ...DEFAULT_SCHEDULE, kind: 'constant', lr: p.learningRate, warmupSteps: 10 },
      seed: ctx.seed,
      signal: ctx.signal,
      progress: async (step, total, metrics) => {
        const point: (typeof curve)[number] = { step, loss: metrics.loss! };
        // Both held-out losses on the same windows every time: the forgetting curve beside the learning one.
        if (step % p.evalEvery === 0 || step === total) Object.assign(point, await measure());
        curve.push(point);
        const live: Record<string, number> = point.newLoss !== undefined ? { newLoss: point.newLoss, oldLoss: point.oldLoss!, forgetting: point.oldLoss! - before.oldLoss } : {};
        await ctx.progress({ step, total, metrics: { ...metrics, ...live } });
      },
      log: (m) => ctx.log.info(m),
    });
    const after = await measure();
    const values: Record<string, number> = {
      oldLossBefore: before.oldLoss,
      oldLossAfter: after.oldLoss,
      forgetting: after.oldLoss - before.oldLoss,
      newLossBefore: before.newLoss,
      newLossAfter: after.newLoss,
      gain: before.newLoss - after.newLoss,
      finalLoss: result.finalLoss,
      tokensPerSecond: result.tokensPerSecond,
      replayShare: p.replayShare,
    };
    ctx.log.info(`after: new-data loss ${after.newLoss.toFixed(4)} (gain ${values.gain!.toFixed(4)}), old-data loss ${after.oldLoss.toFixed(4)} (forgetting ${values.forgetting!.toFixed(4)})`);
    const history = join(ctx.artifactDir, 'history.csv');
    // The trainer's loss history covers a resumed run's earlier session too; held-out points are this session's.
    const measured = new Map(curve.map((c) => [c.step, c]));
    const rows = result.history.map((h) => `${h.step},${h.loss},${measured.get(h.step)?.newLoss ?? ''},${measured.get(h.step)?.oldLoss ?? ''}`);
    writeFileSync(history, 'step,loss,newLoss,oldLoss\n' + rows.join('\n') + '\n');
    const model = await saveModelFolder(ctx.artifactDir, params, config, modelIn.tokenizerPath, { weft_steps: String(p.steps) });
    return { outputs: { model, metrics: { kind: 'metrics', values, tables: { history } } }, metrics: values, backend };
  } finally {
    modelIn.dispose();
    for (const s of opened) s.close();
  }
};

export default run;
