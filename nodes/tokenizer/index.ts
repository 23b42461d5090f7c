import { createWriteStream, copyFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { defineNode } from '../sdk/index.ts';

export default defineNode({
  type: 'tokenizer',
  version: 1,
  category: 'Model',
  label: 'Tokenizer',
  description: 'Byte-level (no training), byte-level BPE trained on a dataset with the Hugging Face tokenizers library, or a tokenizer.json file. Saves tokenizer.json.',
  inputs: { dataset: { type: 'Dataset', optional: true, description: 'Text to train BPE on (its train split).' } },
  outputs: { tokenizer: { type: 'Tokenizer' } },
  params: {
    kind: { kind: 'enum', options: ['bpe', 'byte-level', 'file'], default: 'bpe' },
    vocabSize: { kind: 'integer', default: 1024, min: 257, max: 65536, help: 'BPE only: 256 byte tokens + merges + special tokens.' },
    specialTokens: { kind: 'string', default: '<|endoftext|>', help: 'Comma-separated; the first one separates documents.' },
    file: { kind: 'file', default: '', extensions: ['.json'], help: 'For kind "file": a tokenizer.json.' },
  },
  validate(params, connected) {
    const problems = [];
    if (params.kind === 'bpe' && !connected.includes('dataset')) problems.push({ port: 'dataset', message: 'BPE needs a dataset to train on' });
    if (params.kind === 'file' && !params.file) problems.push({ param: 'file', message: 'choose a tokenizer.json file' });
    return problems;
  },
  async run(inputs, params, ctx) {
    const { trainByteLevelBpe, byteLevelBpeJson, writeTokenizer, TextTokenizer } = await import('../lib/tokenizer.ts');
    const { assertDataset, readSplit, recordText } = await import('../lib/dataset.ts');
    const path = join(ctx.artifactDir, 'tokenizer.json');
    const specials = params.specialTokens.split(',').map((s) => s.trim()).filter(Boolean);
    let sample = '';
    const dataset = inputs.dataset ? assertDataset(inputs.dataset, 'dataset') : null;
    if (dataset) for await (const r of readSplit(dataset, 'train')) if ((sample += recordText(r) + '\n').length > 300_000) break;
    if (params.kind === 'file') copyFileSync(params.file, path);
    else if (params.kind === 'byte-level') writeTokenizer(path, byteLevelBpeJson([], specials));
    else {
      const corpus = join(ctx.artifactDir, 'corpus.txt');
      const out = createWriteStream(corpus);
      for await (const r of readSplit(dataset!, 'train')) if (!out.write(recordText(r) + '\n')) await once(out, 'drain');
      out.end();
      await once(out, 'finish');
      await ctx.progress({ step: 0, total: 1 });
      writeTokenizer(path, trainByteLevelBpe([corpus], params.vocabSize, specials));
      rmSync(corpus);
    }
    const tok = TextTokenizer.fromFile(path);
    const ids = sample ? await tok.encode(sample) : [];
    const charsPerToken = ids.length ? sample.length / ids.length : 0;
    // Round trip: byte-level BPE must give back exactly the text it was given.
    if (sample && (await tok.decode(ids)) !== sample) ctx.log.warn('this tokenizer does not round-trip the sample text exactly');
    ctx.log.info(`vocabulary ${tok.vocabSize}; ${charsPerToken.toFixed(2)} characters per token on the training text`);
    await ctx.progress({ step: 1, total: 1 });
    return {
      outputs: { tokenizer: { kind: 'tokenizer', path, vocabSize: tok.vocabSize, type: params.kind, specialTokens: tok.specials } },
      metrics: { vocabSize: tok.vocabSize, ...(charsPerToken ? { charsPerToken } : {}) },
    };
  },
});
