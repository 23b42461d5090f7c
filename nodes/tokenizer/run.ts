import { createWriteStream, copyFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { trainByteLevelBpe, byteLevelBpeJson, writeTokenizer, TextTokenizer } from '../lib/tokenizer.ts';
import { withSplitFiles, readSplit, recordText } from '../lib/dataset.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (inputs, params, ctx) => {
  const path = join(ctx.artifactDir, 'tokenizer.json');
  const specials = params.specialTokens.split(',').map((s) => s.trim()).filter(Boolean);
  let sample = '';
  const dataset = inputs.dataset ? withSplitFiles(inputs.dataset) : null;
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
};

export default run;
