import { statSync } from 'node:fs';
import { join } from 'node:path';
import { type TextHandle } from '../sdk/index.ts';
import { perMille, readTextChunks, textWriter } from '../lib/text-io.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (inputs, params, ctx) => {
  const input = inputs.text;
  const outPath = join(ctx.artifactDir, 'text.txt');
  // Cleaning writes at most what it reads.
  const out = textWriter(outPath, { expectedBytes: statSync(input.path).size });
  const filter =
    params.keep === 'letters-only' ? /[^\p{L}\n ]+/gu : params.keep === 'letters-digits-punctuation' ? /[^\p{L}\p{N}\p{P}\n ]+/gu : null;
  let carry = '';
  let linesIn = 0;
  let linesOut = 0;
  const cleanLine = (line: string): string | null => {
    linesIn++;
    let s = params.normalize === 'none' ? line : line.normalize(params.normalize);
    if (params.lowercase) s = s.toLowerCase();
    if (filter) s = s.replace(filter, ' ');
    if (params.collapseWhitespace) s = s.replace(/[ \t\f\v\u00a0]+/g, ' ').trim();
    if (params.dropEmptyLines && s.trim() === '') return null;
    linesOut++;
    return s;
  };
  for await (const { text, bytesRead, totalBytes } of readTextChunks(input.path, ctx.signal)) {
    const lines = (carry + text).split('\n');
    carry = lines.pop()!;
    const kept = lines.map(cleanLine).filter((l): l is string => l !== null);
    if (kept.length) await out.write(kept.join('\n') + '\n');
    await ctx.progress({ step: perMille(bytesRead, totalBytes), total: 1000 });
  }
  if (carry) {
    const last = cleanLine(carry);
    if (last !== null) await out.write(last);
  }
  const chars = await out.close();
  return {
    outputs: { text: { kind: 'text', path: outPath, chars } satisfies TextHandle },
    metrics: { charsIn: input.chars, charsOut: chars, linesIn, linesOut },
  };
};

export default run;
