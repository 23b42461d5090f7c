import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openModelInput } from '../lib/model-input.ts';
import { saveModelFolder } from '../lib/sized-write.ts';
import { assertFitsBackend } from '../lib/train/memory-check.ts';
import { withSplitFiles } from '../lib/dataset.ts';
import { tokenStream, unigramCrossEntropy } from '../lib/token-stream.ts';
import { trainLanguageModel } from '../lib/train/lm-trainer.ts';
import { DEFAULT_OPTIMIZER } from '../lib/train/optimizer.ts';
import { DEFAULT_SCHEDULE } from '../lib/train/schedule.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (inputs, p, ctx) => {
  const dataset = withSplitFiles(inputs.dataset);
  const modelIn = await openModelInput(inputs.model);
  const { backend, config, params, tok } = modelIn;
  const opened: Array<{ close(): void }> = [];
  try {
    const context = p.context || config.contextLength;
    if (context > config.contextLength) throw new Error(`context ${context} is longer than the model's ${config.contextLength} tokens`);
    if (p.objective === 'causal' && !config.causal) throw new Error('this model is an encoder; causal LM training needs a decoder (or choose the masked objective)');
    if (p.objective === 'masked' && config.causal) throw new Error('masked LM training needs an encoder model; this one is a causal decoder');
    if (p.objective === 'masked' && config.maskTokenId < 0) throw new Error('the tokenizer has no special token to use as [MASK]; add "<mask>" to its special tokens');
    assertFitsBackend(backend, config, p.batchSize, context, p.gradAccum);
    // Token files go to the checkpoint folder: kept across an interruption, removed once the node succeeds.
    const train = await tokenStream(tok, dataset, 'train', ctx.checkpointDir);
    const validation = await tokenStream(tok, dataset, 'validation', ctx.checkpointDir);
    for (const f of [train, validation]) if (f) opened.push(f);
    if (!train || train.length < context + 2) throw new Error(`the train split has ${train?.length ?? 0} tokens; at least ${context + 2} are needed for one sequence`);
    const unigram = validation ? unigramCrossEntropy(train, validation, config.vocabSize) : undefined;
    ctx.log.info(`${train.length.toLocaleString('en-US')} training tokens, ${validation?.length.toLocaleString('en-US') ?? 0} validation tokens; backend ${backend}`);
    const result = await trainLanguageModel({
      config,
      params,
      train,
      validation,
      objective: p.objective,
      maskProbability: p.maskProbability,
      batchSize: p.batchSize,
      context,
      steps: p.steps,
      gradAccum: p.gradAccum,
      evalEvery: p.evalEvery,
      evalBatches: p.evalBatches,
      checkpointEvery: p.checkpointEvery,
      keepCheckpoints: p.keepCheckpoints,
      checkpointDir: ctx.checkpointDir,
      optimizer: inputs.optimizer?.settings ?? DEFAULT_OPTIMIZER,
      schedule: inputs.scheduler?.settings ?? { ...DEFAULT_SCHEDULE, lr: p.learningRate },
      seed: ctx.seed,
      signal: ctx.signal,
      progress: (step, total, metrics) => ctx.progress({ step, total, metrics: unigram !== undefined ? { ...metrics, unigramBaseline: unigram } : metrics }),
      log: (m) => ctx.log.info(m),
    });
    writeFileSync(join(ctx.artifactDir, 'history.csv'), 'step,loss,valLoss\n' + result.history.map((h) => `${h.step},${h.loss},${h.valLoss ?? ''}`).join('\n') + '\n');
    const model = await saveModelFolder(ctx.artifactDir, params, config, modelIn.tokenizerPath, { weft_steps: String(p.steps) });
    const values: Record<string, number> = { finalLoss: result.finalLoss, tokensPerSecond: result.tokensPerSecond, steps: p.steps };
    if (result.valLoss !== null) Object.assign(values, { valLoss: result.valLoss, valPerplexity: Math.exp(result.valLoss) });
    if (result.bestValLoss !== null) values.bestValLoss = result.bestValLoss;
    if (unigram !== undefined) values.unigramBaseline = unigram;
    if (result.resumedFrom !== null) values.resumedFromStep = result.resumedFrom;
    return { outputs: { model, metrics: { kind: 'metrics', values, tables: { history: join(ctx.artifactDir, 'history.csv') } } }, metrics: values, backend };
  } finally {
    modelIn.dispose();
    // Workers are reused: close the token files this run opened.
    for (const f of opened) f.close();
  }
};

export default run;
