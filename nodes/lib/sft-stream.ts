/** Prompt/response records as one token stream whose loss weights cover only the response tokens. */
import type { DatasetHandle, SplitName } from './dataset.ts';
import { readSplit } from './dataset.ts';
import type { TextTokenizer } from './tokenizer.ts';

export async function responseStream(tok: TextTokenizer, dataset: DatasetHandle, split: SplitName): Promise<{ ids: Int32Array; weights: Float32Array; examples: number } | undefined> {
  if (!dataset.splits[split]) return undefined;
  const prompts: string[] = [];
  const responses: string[] = [];
  for await (const r of readSplit(dataset, split)) {
    if (typeof r.prompt !== 'string' || typeof r.response !== 'string') throw new Error(`the ${split} split has a record without prompt and response; use a Chat format node first`);
    prompts.push(r.prompt);
    responses.push(r.response);
  }
  // Prompt and response are tokenized apart so no token straddles the boundary between them.
  const [p, q] = [await tok.encodeBatch(prompts), await tok.encodeBatch(responses)];
  const total = p.reduce((n, x, i) => n + x.length + q[i]!.length, 0);
  const ids = new Int32Array(total);
  const weights = new Float32Array(total);
  let pos = 0;
  for (let i = 0; i < p.length; i++) {
    ids.set(p[i]!, pos);
    pos += p[i]!.length;
    ids.set(q[i]!, pos);
    weights.fill(1, pos, pos + q[i]!.length);
    pos += q[i]!.length;
  }
  return { ids, weights, examples: p.length };
}
