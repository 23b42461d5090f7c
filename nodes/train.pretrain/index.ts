import { defineNode, type NodeResult } from '../sdk/index.ts';

export default defineNode({
  type: 'train.pretrain',
  version: 1,
  category: 'Training',
  label: 'Pretrain',
  description: 'Trains a model on text: causal LM (next token) or masked LM. Validation, checkpoints with exact resume, NaN detection, live metrics.',
  heavy: true,
  inputs: {
    model: { type: 'Model' },
    dataset: { type: 'Dataset', description: 'Trains on its train split, evaluates on its validation split.' },
    optimizer: { type: 'Optimizer', optional: true, description: 'Default: AdamW, weight decay 0.1, clipping at 1.' },
    scheduler: { type: 'Scheduler', optional: true, description: 'Default: warm-up then cosine decay from 3e-3.' },
  },
  outputs: { model: { type: 'Model' }, metrics: { type: 'Metrics' } },
  params: {
    objective: { kind: 'enum', options: ['causal', 'masked'], default: 'causal' },
    steps: { kind: 'integer', default: 500, min: 1, max: 10_000_000 },
    batchSize: { kind: 'integer', default: 16, min: 1, max: 4096 },
    context: { kind: 'integer', default: 0, min: 0, max: 8192, help: 'Tokens per training sequence; 0 uses the model\'s context.' },
    gradAccum: { kind: 'integer', default: 1, min: 1, max: 1024, label: 'Gradient accumulation', help: 'Micro-batches per update: the effective batch is batch size x this.' },
    evalEvery: { kind: 'integer', default: 50, min: 1, max: 1_000_000, help: 'Steps between validation passes.' },
    evalBatches: { kind: 'integer', default: 8, min: 1, max: 10_000 },
    checkpointEvery: { kind: 'integer', default: 50, min: 0, max: 1_000_000, help: '0 disables checkpoints (and resume).' },
    keepCheckpoints: { kind: 'integer', default: 2, min: 1, max: 100, help: 'The last k are kept, plus the best.' },
    maskProbability: { kind: 'number', default: 0.15, min: 0.01, max: 0.9, help: 'Masked LM only.' },
  },
  async run(inputs, p, ctx): Promise<NodeResult> {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { openModelInput } = await import('../lib/model-input.ts');
    const { saveModelFolder } = await import('../lib/gpt/io.ts');
    const { assertFitsBackend } = await import('../lib/train/memory-check.ts');
    const { assertDataset } = await import('../lib/dataset.ts');
    const { tokenStream, unigramCrossEntropy } = await import('../lib/token-stream.ts');
    const { trainLanguageModel } = await import('../lib/train/lm-trainer.ts');
    const { DEFAULT_OPTIMIZER } = await import('../lib/train/optimizer.ts');
    const { DEFAULT_SCHEDULE } = await import('../lib/train/schedule.ts');
    const dataset = assertDataset(inputs.dataset, 'dataset');
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
        optimizer: (inputs.optimizer as { settings: typeof DEFAULT_OPTIMIZER } | undefined)?.settings ?? DEFAULT_OPTIMIZER,
        schedule: (inputs.scheduler as { settings: typeof DEFAULT_SCHEDULE } | undefined)?.settings ?? DEFAULT_SCHEDULE,
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
  },
});
