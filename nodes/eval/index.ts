import { defineNode, type NodeResult } from '../sdk/index.ts';

export default defineNode({
  type: 'eval',
  version: 1,
  category: 'Evaluation',
  label: 'Evaluate',
  description: 'Loss and perplexity of a language model on a dataset split, next to the unigram baseline of the same tokenizer.',
  heavy: true,
  inputs: { model: { type: 'Model' }, dataset: { type: 'Dataset' } },
  outputs: { metrics: { type: 'Metrics' } },
  params: {
    split: { kind: 'enum', options: ['validation', 'test', 'train'], default: 'validation' },
    maxTokens: { kind: 'integer', default: 100_000, min: 100, max: 100_000_000, help: 'Evaluate on at most this many tokens.' },
    batchSize: { kind: 'integer', default: 8, min: 1, max: 1024 },
  },
  async run(inputs, p, ctx): Promise<NodeResult> {
    const { join } = await import('node:path');
    const { tf, useBestBackend } = await import('../lib/backend.ts');
    const { loadModelFolder, assertModel } = await import('../lib/gpt/io.ts');
    const { crossEntropy, disposeParams, hiddenStates, lmLogits } = await import('../lib/gpt/model.ts');
    const { TextTokenizer } = await import('../lib/tokenizer.ts');
    const { assertDataset } = await import('../lib/dataset.ts');
    const { tokenStream, unigramCrossEntropy } = await import('../lib/token-stream.ts');
    const backend = await useBestBackend();
    const handle = assertModel(inputs.model, 'model');
    const dataset = assertDataset(inputs.dataset, 'dataset');
    const { config, params } = loadModelFolder(handle.dir);
    try {
      if (!config.causal) throw new Error('perplexity evaluation needs a decoder (causal) model');
      const tok = TextTokenizer.fromFile(join(handle.dir, 'tokenizer.json'));
      const stream = await tokenStream(tok, dataset, p.split);
      if (!stream) throw new Error(`the dataset has no ${p.split} split; add a Split node`);
      const T = config.contextLength;
      const windows = Math.min(Math.floor((Math.min(stream.length, p.maxTokens) - 1) / T), 1_000_000);
      if (windows < 1) throw new Error(`the ${p.split} split has ${stream.length} tokens, fewer than one context of ${T + 1}`);
      let sum = 0;
      let count = 0;
      for (let w = 0; w < windows; w += p.batchSize) {
        const B = Math.min(p.batchSize, windows - w);
        const x = new Int32Array(B * T);
        const y = new Int32Array(B * T);
        for (let b = 0; b < B; b++) {
          x.set(stream.subarray((w + b) * T, (w + b + 1) * T), b * T);
          y.set(stream.subarray((w + b) * T + 1, (w + b + 1) * T + 1), b * T);
        }
        const loss = tf.tidy(() => crossEntropy(lmLogits(params, config, hiddenStates(params, config, tf.tensor2d(x, [B, T], 'int32'), { training: false })), tf.tensor1d(y, 'int32'), tf.ones([B * T])));
        sum += (await loss.data())[0]! * B * T;
        loss.dispose();
        count += B * T;
        await ctx.progress({ step: Math.min(w + B, windows), total: windows, metrics: { loss: sum / count } });
      }
      const loss = sum / count;
      const train = await tokenStream(tok, dataset, 'train');
      const values: Record<string, number> = { loss, perplexity: Math.exp(loss), tokens: count };
      if (train) values.unigramBaseline = unigramCrossEntropy(train, stream.subarray(0, count + 1), config.vocabSize);
      return { outputs: { metrics: { kind: 'metrics', values } }, metrics: values, backend };
    } finally {
      disposeParams(params);
    }
  },
});
