/** Turns dataset records into one token stream for language modelling, documents separated by EOS. */
import type { DatasetHandle, SplitName } from './dataset.ts';
import { readSplit, recordText } from './dataset.ts';
import { EOS, type TextTokenizer } from './tokenizer.ts';

export async function tokenStream(tok: TextTokenizer, dataset: DatasetHandle, split: SplitName): Promise<Int32Array | undefined> {
  if (!dataset.splits[split]) return undefined;
  const eos = tok.specials[EOS];
  const parts: number[][] = [];
  let batch: string[] = [];
  let total = 0;
  const flush = async () => {
    for (const ids of await tok.encodeBatch(batch)) {
      parts.push(ids);
      total += ids.length + (eos !== undefined ? 1 : 0);
    }
    batch = [];
  };
  for await (const r of readSplit(dataset, split)) {
    const text = recordText(r);
    if (text) batch.push(text);
    if (batch.length >= 256) await flush();
  }
  await flush();
  const out = new Int32Array(total);
  let pos = 0;
  for (const ids of parts) {
    out.set(ids, pos);
    pos += ids.length;
    if (eos !== undefined) out[pos++] = eos;
  }
  return out;
}

/** Cross-entropy (nats/token) of a unigram model fitted on `train` (add-one smoothing) over `target`: the floor any LM should beat. */
export function unigramCrossEntropy(train: Int32Array, target: Int32Array, vocabSize: number): number {
  const counts = new Float64Array(vocabSize).fill(1);
  for (const t of train) counts[t]!++;
  const total = train.length + vocabSize;
  let sum = 0;
  for (const t of target) sum -= Math.log(counts[t]! / total);
  return sum / Math.max(1, target.length);
}
