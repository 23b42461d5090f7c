import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openModelInput } from '../lib/model-input.ts';
import { saveModelFolder } from '../lib/sized-write.ts';
import { addClassifierHead } from '../lib/gpt/model.ts';
import { isEncoderFamily } from '../lib/hf-config.ts';
import { EOS } from '../lib/tokenizer.ts';
import { withSplitFiles, readAll } from '../lib/dataset.ts';
import { DEFAULT_OPTIMIZER } from '../lib/train/optimizer.ts';
import { DEFAULT_SCHEDULE } from '../lib/train/schedule.ts';
import { writePeftAdapter } from '../lib/gpt/peft.ts';
import { assertFitsBackend } from '../lib/train/memory-check.ts';
import { responseStream } from '../lib/sft-stream.ts';
import { trainLanguageModel } from '../lib/train/lm-trainer.ts';
import { MemoryTokens } from '../lib/token-source.ts';
import { readChatFormat, writeChatFormat } from '../lib/chat-template.ts';
import { trainClassifier } from '../lib/train/classifier-trainer.ts';
import { encodeForClassifier } from '../lib/classify-input.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (inputs, p, ctx) => {
  const dataset = withSplitFiles(inputs.dataset);
  const modelIn = await openModelInput(inputs.model);
  const { backend, config, params, tok, tokenizerPath: tokPath } = modelIn;
  const optimizer = inputs.optimizer?.settings ?? DEFAULT_OPTIMIZER;
  const schedule = inputs.scheduler?.settings ?? { ...DEFAULT_SCHEDULE, lr: p.learningRate, warmupSteps: 20 };
  const context = p.context || config.contextLength;
  const lora = p.method === 'lora' ? await import('../lib/gpt/lora.ts') : null;
  const adapters = lora ? lora.addLora(params, config, { rank: p.loraRank, alpha: p.loraAlpha, targets: lora.parseTargets(p.loraTargets) }, ctx.seed + 1) : [];
  // With LoRA only the adapters (and a new classification head, with BERT's pooler) learn; the base weights stay frozen.
  const trainable = lora ? (name: string) => adapters.includes(name) || name.startsWith('score.') || name.startsWith('pooler.') : undefined;
  /** With LoRA: the adapter in PEFT's format in adapter/ (beside, not inside, the merged model folder), then merged. */
  const finish = async (finalConfig: typeof config) => {
    if (!lora) return;
    await writePeftAdapter(join(ctx.artifactDir, 'adapter'), params, finalConfig, { rank: p.loraRank, alpha: p.loraAlpha, targets: lora.parseTargets(p.loraTargets) }, modelIn.dir);
    ctx.log.info(`merged ${lora.mergeLora(params)} LoRA adapters into the base weights; the adapter alone is in adapter/ (PEFT format)`);
  };
  const progress = (step: number, total: number, metrics: Record<string, number>) => ctx.progress({ step, total, metrics });
  const log = (m: string) => ctx.log.info(m);
  try {
    if (context > config.contextLength) throw new Error(`context ${context} is longer than the model's ${config.contextLength} tokens`);
    if (!config.causal && p.mode === 'chat') throw new Error('chat fine-tuning needs a decoder (causal) model; an encoder (masked LM) fine-tunes in classification mode');
    if (!config.causal && !isEncoderFamily(config.family)) {
      throw new Error(`${modelIn.dir} is an encoder Weft wrote before it used BERT's layout (model_type "weft-encoder"); classification needs a BERT or RoBERTa encoder: make a new one with the Model node's "encoder" architecture`);
    }
    assertFitsBackend(backend, config, p.batchSize, context, p.gradAccum, lora ? { rank: p.loraRank, targets: lora.parseTargets(p.loraTargets).length } : undefined);
    if (p.mode === 'chat') {
      const train = await responseStream(tok, dataset, 'train');
      const validation = await responseStream(tok, dataset, 'validation');
      if (!train || train.ids.length < context + 2) throw new Error(`the train split has too few tokens (${train?.ids.length ?? 0}) for one sequence of ${context}`);
      ctx.log.info(`${train.examples} training examples, ${train.weights.reduce((a, b) => a + b, 0)} response tokens learned from`);
      const r = await trainLanguageModel({
        config, params, train: new MemoryTokens(train.ids, train.weights), validation: validation && new MemoryTokens(validation.ids, validation.weights),
        objective: 'causal', maskProbability: 0, batchSize: p.batchSize, context, steps: p.steps, gradAccum: p.gradAccum,
        evalEvery: p.evalEvery, evalBatches: p.evalBatches, checkpointEvery: p.checkpointEvery, keepCheckpoints: p.keepCheckpoints,
        checkpointDir: ctx.checkpointDir, optimizer, schedule, seed: ctx.seed, trainable, signal: ctx.signal, progress, log,
      });
      await finish(config);
      const model = await saveModelFolder(ctx.artifactDir, params, config, tokPath);
      // The playground and other tools read the chat format from tokenizer_config.json, as in Hugging Face folders.
      const chat = dataset.chat ?? readChatFormat(modelIn.dir);
      if (chat) writeChatFormat(ctx.artifactDir, chat, config.contextLength);
      const values: Record<string, number> = { ...(r.history[0] ? { initialLoss: r.history[0].loss } : {}), finalLoss: r.finalLoss, tokensPerSecond: r.tokensPerSecond };
      if (r.valLoss !== null) values.valLoss = r.valLoss;
      return { outputs: { model, metrics: { kind: 'metrics', values } }, metrics: values, backend };
    }
    const classes = dataset.labels;
    if (!classes || classes.length < 2) throw new Error('classification needs records with at least two distinct labels; add a Label node');
    // An encoder pads with its own pad token (masked out of attention); a decoder with end-of-text.
    const padId = (config.causal ? undefined : config.padTokenId) ?? tok.specials[EOS] ?? 0;
    const encode = async (split: 'train' | 'validation' | 'test') => {
      const rows = await readAll(dataset, split);
      if (!rows.length) return undefined;
      // Only the first `context` tokens are used; cutting the text first saves encoding whole e-mails.
      const ids = await encodeForClassifier(tok, rows.map((r) => String(r.text ?? r.prompt ?? '')), context, padId);
      const labels = Int32Array.from(rows, (r, i) => {
        const k = classes.indexOf(String(r.label));
        if (k < 0) throw new Error(`${split} record ${i + 1} has label ${JSON.stringify(r.label)}, not one of ${classes.join(', ')}`);
        return k;
      });
      return { ids, labels };
    };
    const train = (await encode('train'))!;
    const validation = await encode('validation');
    addClassifierHead(params, config, classes.length, ctx.seed);
    const headConfig = { ...config, numClasses: classes.length, labels: classes, padTokenId: padId };
    const r = await trainClassifier({
      config: headConfig, params, classes, train, validation, padId, batchSize: p.batchSize, gradAccum: p.gradAccum, steps: p.steps, evalEvery: p.evalEvery,
      checkpointEvery: p.checkpointEvery, keepCheckpoints: p.keepCheckpoints, checkpointDir: ctx.checkpointDir, optimizer, schedule,
      seed: ctx.seed, trainable, signal: ctx.signal, progress, log,
    });
    await finish(headConfig);
    const model = await saveModelFolder(ctx.artifactDir, params, headConfig, tokPath);
    const values: Record<string, number> = { ...(r.history[0] ? { initialLoss: r.history[0].loss } : {}), finalLoss: r.finalLoss };
    if (r.validation) {
      values.valAccuracy = r.validation.accuracy;
      values.valMacroF1 = r.validation.macroF1;
      writeFileSync(join(ctx.artifactDir, 'confusion.json'), JSON.stringify({ labels: classes, confusion: r.validation.confusion }, null, 2));
    }
    if (r.resumedFrom !== null) values.resumedFromStep = r.resumedFrom;
    // Every step's loss (and validation where measured), across any interruption: the run's whole curve.
    const history = join(ctx.artifactDir, 'history.csv');
    writeFileSync(history, 'step,loss,valAccuracy,valMacroF1\n' + r.history.map((h) => `${h.step},${h.loss},${h.valAccuracy ?? ''},${h.valMacroF1 ?? ''}`).join('\n') + '\n');
    return { outputs: { model, metrics: { kind: 'metrics', values, tables: { history } } }, metrics: values, backend };
  } finally {
    modelIn.dispose();
  }
};

export default run;
