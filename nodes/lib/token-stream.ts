/** Turns dataset records into one token stream for language modelling, documents separated by EOS. */
import { createWriteStream, existsSync, renameSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { DatasetHandle, SplitName } from './dataset.ts';
import { readSplit, recordText } from './dataset.ts';
import { FileTokens, forEachChunk, type TokenSource } from './token-source.ts';
import { EOS, type TextTokenizer } from './tokenizer.ts';

/**
 * Tokenizes a split into `<dir>/<split>.tokens` (int32, written in batches, renamed into place
 * when complete) and opens it for windowed reading. A complete file from an interrupted run is
 * reused, so resuming does not tokenize again.
 */
export async function tokenStream(tok: TextTokenizer, dataset: DatasetHandle, split: SplitName, dir: string): Promise<FileTokens | undefined> {
  if (!dataset.splits[split]) return undefined;
  const path = join(dir, `${split}.tokens`);
  if (existsSync(path)) return new FileTokens(path);
  const eos = tok.specials[EOS];
  const out = createWriteStream(path + '.part');
  let batch: string[] = [];
  const flush = async () => {
    for (const ids of await tok.encodeBatch(batch)) {
      const arr = Int32Array.from(eos !== undefined ? [...ids, eos] : ids);
      if (!out.write(Buffer.from(arr.buffer))) await once(out, 'drain');
    }
    batch = [];
  };
  for await (const r of readSplit(dataset, split)) {
    const text = recordText(r);
    if (text) batch.push(text);
    if (batch.length >= 256) await flush();
  }
  await flush();
  out.end();
  await once(out, 'finish');
  renameSync(path + '.part', path);
  return new FileTokens(path);
}

/** Cross-entropy (nats/token) of a unigram model fitted on `train` (add-one smoothing) over `target`: the floor any LM should beat. */
export function unigramCrossEntropy(train: TokenSource, target: TokenSource, vocabSize: number, targetTokens = target.length): number {
  const counts = new Float64Array(vocabSize).fill(1);
  forEachChunk(train, (c) => {
    for (const t of c) counts[t]!++;
  });
  const total = train.length + vocabSize;
  let sum = 0;
  const n = Math.min(targetTokens, target.length);
  for (let off = 0; off < n; off += 1 << 20) for (const t of target.read(off, Math.min(1 << 20, n - off))) sum -= Math.log(counts[t]! / total);
  return sum / Math.max(1, n);
}
