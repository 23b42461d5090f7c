/**
 * Chat records as one token stream whose loss weights cover only what the assistant says: the
 * response of prompt/response records, every assistant turn of multi-turn ones (their `segments`,
 * written by Chat format).
 */
import type { ChatSegment, DatasetHandle, SplitName } from './dataset.ts';
import { readSplit } from './dataset.ts';
import type { TextTokenizer } from './tokenizer.ts';

export async function responseStream(tok: TextTokenizer, dataset: DatasetHandle, split: SplitName): Promise<{ ids: Int32Array; weights: Float32Array; examples: number } | undefined> {
  if (!dataset.splits[split]) return undefined;
  const pieces: string[] = [];
  const learn: boolean[] = [];
  /** Index of each example's first piece: where a tokenizer that starts every text with BOS gets one. */
  const firstPieces = new Set<number>();
  let examples = 0;
  for await (const r of readSplit(dataset, split)) {
    examples++;
    firstPieces.add(pieces.length);
    if (Array.isArray(r.segments)) {
      for (const s of r.segments as ChatSegment[]) {
        if (typeof s?.text !== 'string' || typeof s.learn !== 'boolean') throw new Error(`${split} record ${examples} has malformed chat segments; run Chat format again`);
        pieces.push(s.text);
        learn.push(s.learn);
      }
      continue;
    }
    if (typeof r.prompt !== 'string' || typeof r.response !== 'string') throw new Error(`the ${split} split has a record without prompt and response; use a Chat format node first`);
    pieces.push(r.prompt, r.response);
    learn.push(false, true);
  }
  // Each piece is tokenized apart so no token straddles a boundary between what is learned and what is not.
  // A tokenizer that starts every text with BOS (Llama 2 and 3: add_bos_token) gets it before each
  // example, as transformers tokenizes a training text and as the playground and Generate prompt.
  const encoded = await tok.encodeTexts(pieces, pieces.map((_, i) => firstPieces.has(i)));
  const total = encoded.reduce((n, x) => n + x.length, 0);
  const ids = new Int32Array(total);
  const weights = new Float32Array(total);
  let pos = 0;
  encoded.forEach((piece, i) => {
    ids.set(piece, pos);
    if (learn[i]) weights.fill(1, pos, pos + piece.length);
    pos += piece.length;
  });
  return { ids, weights, examples };
}
