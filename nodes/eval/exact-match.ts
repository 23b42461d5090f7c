/** Greedy answers to held-out prompts, compared with the expected answers. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeContext } from '../sdk/index.ts';
import type { DatasetHandle, SplitName } from '../lib/dataset.ts';
import { readAll } from '../lib/dataset.ts';
import type { GptConfig } from '../lib/gpt/config.ts';
import { generate } from '../lib/gpt/generate.ts';
import type { Params } from '../lib/gpt/model.ts';
import { EOS, type TextTokenizer } from '../lib/tokenizer.ts';

export async function exactMatch(params: Params, config: GptConfig, tok: TextTokenizer, dataset: DatasetHandle, split: SplitName, maxExamples: number, maxNewTokens: number, ctx: NodeContext): Promise<Record<string, number>> {
  const rows = (await readAll(dataset, split)).slice(0, maxExamples);
  if (!rows.length) throw new Error(`the dataset has no ${split} split; add a Split node`);
  const stop = [tok.specials[EOS], tok.tokenOf('\n')].filter((x): x is number => typeof x === 'number');
  const table: Array<{ prompt: string; expected: string; got: string; match: boolean }> = [];
  let right = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (typeof r.prompt !== 'string') throw new Error(`${split} record ${i + 1} has no prompt`);
    const expected = String(r.answer ?? r.response ?? '').replace(EOS, '').trim();
    const ids = await generate(params, config, await tok.encodePrompt(r.prompt), { maxTokens: maxNewTokens, temperature: 0, topK: 0, topP: 1, seed: 0, stopTokens: stop });
    const got = (await tok.decode(ids)).trim();
    const match = got === expected;
    if (match) right++;
    if (table.length < 50) table.push({ prompt: r.prompt, expected, got, match });
    await ctx.progress({ step: i + 1, total: rows.length, metrics: { exactMatch: right / (i + 1) } });
  }
  writeFileSync(join(ctx.artifactDir, 'samples.json'), JSON.stringify(table, null, 2));
  return { exactMatch: right / rows.length, examples: rows.length };
}
