import { defineNode, type NodeResult } from '../sdk/index.ts';

export default defineNode({
  type: 'train.sft',
  version: 1,
  category: 'Training',
  label: 'Fine-tune',
  description:
    'Supervised fine-tuning. Chat: learns the responses of prompt/response records (loss on response tokens only). Classification: adds a head and learns the records\' labels (accuracy, macro F1, confusion matrix).',
  heavy: true,
  inputs: {
    model: { type: 'Model' },
    dataset: { type: 'Dataset', description: 'Chat: prompt/response records (from Chat format). Classification: text + label records.' },
    optimizer: { type: 'Optimizer', optional: true },
    scheduler: { type: 'Scheduler', optional: true },
  },
  outputs: { model: { type: 'Model' }, metrics: { type: 'Metrics' } },
  params: {
    mode: { kind: 'enum', options: ['chat', 'classification'], default: 'chat' },
    method: { kind: 'enum', options: ['full', 'lora'], default: 'full', help: 'full: every weight learns. lora: small adapters learn and are merged into the weights at the end.' },
    loraRank: { kind: 'integer', default: 8, min: 1, max: 512 },
    loraAlpha: { kind: 'number', default: 16, min: 0.01, max: 10_000, help: 'Adapters are scaled by alpha / rank.' },
    loraTargets: { kind: 'string', default: 'attn.q,attn.v', help: 'Comma-separated: attn.q, attn.k, attn.v, attn.c_proj, mlp.c_fc, mlp.c_proj.' },
    steps: { kind: 'integer', default: 300, min: 1, max: 10_000_000 },
    batchSize: { kind: 'integer', default: 16, min: 1, max: 4096 },
    context: { kind: 'integer', default: 0, min: 0, max: 8192, help: "Tokens per sequence; 0 uses the model's context. Classification truncates longer texts." },
    evalEvery: { kind: 'integer', default: 50, min: 1, max: 1_000_000 },
    evalBatches: { kind: 'integer', default: 8, min: 1, max: 10_000, help: 'Chat: validation batches per evaluation.' },
    checkpointEvery: { kind: 'integer', default: 50, min: 0, max: 1_000_000 },
    keepCheckpoints: { kind: 'integer', default: 2, min: 1, max: 100 },
  },
  validate(p) {
    if (p.method !== 'lora') return [];
    const known = ['attn.q', 'attn.k', 'attn.v', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'];
    const targets = p.loraTargets.split(',').map((t) => t.trim()).filter(Boolean);
    const bad = targets.filter((t) => !known.includes(t));
    if (!targets.length) return [{ param: 'loraTargets', message: 'name at least one matrix' }];
    return bad.length ? [{ param: 'loraTargets', message: `unknown matrix ${bad.join(', ')}; choose from ${known.join(', ')}` }] : [];
  },
  async run(inputs, p, ctx): Promise<NodeResult> {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { openModelInput } = await import('../lib/model-input.ts');
    const { saveModelFolder } = await import('../lib/gpt/io.ts');
    const { addClassifierHead } = await import('../lib/gpt/model.ts');
    const { EOS } = await import('../lib/tokenizer.ts');
    const { assertDataset, readAll } = await import('../lib/dataset.ts');
    const { DEFAULT_OPTIMIZER } = await import('../lib/train/optimizer.ts');
    const { DEFAULT_SCHEDULE } = await import('../lib/train/schedule.ts');
    const dataset = assertDataset(inputs.dataset, 'dataset');
    const modelIn = await openModelInput(inputs.model);
    const { backend, config, params, tok, tokenizerPath: tokPath } = modelIn;
    const optimizer = (inputs.optimizer as { settings: typeof DEFAULT_OPTIMIZER } | undefined)?.settings ?? DEFAULT_OPTIMIZER;
    const schedule = (inputs.scheduler as { settings: typeof DEFAULT_SCHEDULE } | undefined)?.settings ?? { ...DEFAULT_SCHEDULE, lr: 1e-3, warmupSteps: 20 };
    const context = p.context || config.contextLength;
    const lora = p.method === 'lora' ? await import('../lib/gpt/lora.ts') : null;
    const adapters = lora ? lora.addLora(params, config, { rank: p.loraRank, alpha: p.loraAlpha, targets: lora.parseTargets(p.loraTargets) }, ctx.seed + 1) : [];
    // With LoRA only the adapters (and a new classification head) learn; the base weights stay frozen.
    const trainable = lora ? (name: string) => adapters.includes(name) || name.startsWith('score.') : undefined;
    const finish = async () => {
      if (!lora) return;
      const { encodeSafetensors } = await import('../lib/safetensors.ts');
      const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
      for (const name of lora.adapterNames(params)) tensors.set(name, { shape: params.get(name)!.shape, data: (await params.get(name)!.data()) as Float32Array });
      writeFileSync(join(ctx.artifactDir, 'adapter_model.safetensors'), encodeSafetensors(tensors));
      writeFileSync(join(ctx.artifactDir, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: p.loraRank, lora_alpha: p.loraAlpha, target_modules: lora.parseTargets(p.loraTargets), merged_into: 'model.safetensors' }, null, 2));
      ctx.log.info(`merged ${lora.mergeLora(params)} LoRA adapters into the base weights`);
    };
    const progress = (step: number, total: number, metrics: Record<string, number>) => ctx.progress({ step, total, metrics });
    const log = (m: string) => ctx.log.info(m);
    try {
      if (context > config.contextLength) throw new Error(`context ${context} is longer than the model's ${config.contextLength} tokens`);
      if (!config.causal) throw new Error('fine-tuning here needs a decoder (causal) model');
      const { assertFitsBackend } = await import('../lib/train/memory-check.ts');
      assertFitsBackend(backend, config, p.batchSize, context, 1);
      if (p.mode === 'chat') {
        const { responseStream } = await import('../lib/sft-stream.ts');
        const { trainLanguageModel } = await import('../lib/train/lm-trainer.ts');
        const { MemoryTokens } = await import('../lib/token-source.ts');
        const train = await responseStream(tok, dataset, 'train');
        const validation = await responseStream(tok, dataset, 'validation');
        if (!train || train.ids.length < context + 2) throw new Error(`the train split has too few tokens (${train?.ids.length ?? 0}) for one sequence of ${context}`);
        ctx.log.info(`${train.examples} training examples, ${train.weights.reduce((a, b) => a + b, 0)} response tokens learned from`);
        const r = await trainLanguageModel({
          config, params, train: new MemoryTokens(train.ids, train.weights), validation: validation && new MemoryTokens(validation.ids, validation.weights),
          objective: 'causal', maskProbability: 0, batchSize: p.batchSize, context, steps: p.steps, gradAccum: 1,
          evalEvery: p.evalEvery, evalBatches: p.evalBatches, checkpointEvery: p.checkpointEvery, keepCheckpoints: p.keepCheckpoints,
          checkpointDir: ctx.checkpointDir, optimizer, schedule, seed: ctx.seed, trainable, signal: ctx.signal, progress, log,
        });
        await finish();
        const model = await saveModelFolder(ctx.artifactDir, params, config, tokPath);
        // The playground and other tools read the chat format from tokenizer_config.json, as in Hugging Face folders.
        const { readChatFormat, writeChatFormat } = await import('../lib/chat-template.ts');
        const chat = dataset.chat ?? readChatFormat(modelIn.dir);
        if (chat) writeChatFormat(ctx.artifactDir, chat, config.contextLength);
        const values: Record<string, number> = { finalLoss: r.finalLoss, tokensPerSecond: r.tokensPerSecond };
        if (r.valLoss !== null) values.valLoss = r.valLoss;
        return { outputs: { model, metrics: { kind: 'metrics', values } }, metrics: values, backend };
      }
      const { trainClassifier } = await import('../lib/train/classifier-trainer.ts');
      const classes = dataset.labels;
      if (!classes || classes.length < 2) throw new Error('classification needs records with at least two distinct labels; add a Label node');
      const padId = tok.specials[EOS] ?? 0;
      const encode = async (split: 'train' | 'validation' | 'test') => {
        const rows = await readAll(dataset, split);
        if (!rows.length) return undefined;
        // Only the first `context` tokens are used; cutting the text first saves encoding whole e-mails.
        const { encodeForClassifier } = await import('../lib/classify-input.ts');
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
      const headConfig = { ...config, numClasses: classes.length, labels: classes };
      const r = await trainClassifier({
        config: headConfig, params, classes, train, validation, padId, batchSize: p.batchSize, steps: p.steps, evalEvery: p.evalEvery,
        checkpointEvery: p.checkpointEvery, keepCheckpoints: p.keepCheckpoints, checkpointDir: ctx.checkpointDir, optimizer, schedule,
        seed: ctx.seed, trainable, signal: ctx.signal, progress, log,
      });
      await finish();
      const model = await saveModelFolder(ctx.artifactDir, params, headConfig, tokPath);
      const values: Record<string, number> = { finalLoss: r.finalLoss };
      if (r.validation) {
        values.valAccuracy = r.validation.accuracy;
        values.valMacroF1 = r.validation.macroF1;
        writeFileSync(join(ctx.artifactDir, 'confusion.json'), JSON.stringify({ labels: classes, confusion: r.validation.confusion }, null, 2));
      }
      return { outputs: { model, metrics: { kind: 'metrics', values } }, metrics: values, backend };
    } finally {
      modelIn.dispose();
    }
  },
});
