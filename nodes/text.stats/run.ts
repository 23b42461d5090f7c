import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type MetricsHandle, type TextHandle } from '../sdk/index.ts';
import { perMille, readTextChunks } from '../lib/text-io.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (inputs, params, ctx) => {
  const input = inputs.text;
  const counts = new Map<string, number>();
  let words = 0;
  let carry = '';
  const countWords = (text: string) => {
    for (const m of text.matchAll(/[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu)) {
      const w = params.caseSensitive ? m[0] : m[0].toLowerCase();
      counts.set(w, (counts.get(w) ?? 0) + 1);
      words++;
    }
  };
  for await (const { text, bytesRead, totalBytes } of readTextChunks(input.path, ctx.signal)) {
    // Count up to the last whitespace; a word may continue in the next chunk.
    const all = carry + text;
    const cut = Math.max(all.lastIndexOf(' '), all.lastIndexOf('\n'));
    countWords(all.slice(0, cut + 1));
    carry = all.slice(cut + 1);
    await ctx.progress({ step: perMille(bytesRead, totalBytes), total: 1000, metrics: { words, distinctWords: counts.size } });
  }
  countWords(carry);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, params.topWords);
  const tablePath = join(ctx.artifactDir, 'top-words.csv');
  writeFileSync(tablePath, 'word,count,share\n' + top.map(([w, c]) => `${w},${c},${(c / Math.max(1, words)).toFixed(6)}`).join('\n') + '\n');
  const values = { chars: input.chars, words, distinctWords: counts.size, typeTokenRatio: words ? counts.size / words : 0 };
  ctx.log.info(`most frequent: ${top.slice(0, 10).map(([w, c]) => `${w} (${c})`).join(', ')}`);
  const handle: MetricsHandle = { kind: 'metrics', values, tables: { topWords: tablePath } };
  return { outputs: { metrics: handle }, metrics: values };
};

export default run;
