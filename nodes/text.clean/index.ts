import { join } from 'node:path';
import { defineNode, type TextHandle } from '../sdk/index.ts';
import { perMille, readTextChunks, textWriter } from '../lib/text-io.ts';

export default defineNode({
  type: 'text.clean',
  version: 1,
  category: 'Data',
  label: 'Clean text',
  description: 'Unicode normalisation, case folding, character filtering and whitespace clean-up, line by line.',
  inputs: { text: { type: 'Text' } },
  outputs: { text: { type: 'Text' } },
  params: {
    normalize: { kind: 'enum', options: ['NFC', 'NFKC', 'none'], default: 'NFKC', help: 'NFKC also folds compatibility forms (ligatures, full-width letters).' },
    lowercase: { kind: 'boolean', default: false },
    keep: {
      kind: 'enum',
      options: ['everything', 'letters-digits-punctuation', 'letters-only'],
      default: 'everything',
      help: 'Characters outside this class become spaces.',
    },
    collapseWhitespace: { kind: 'boolean', default: true, help: 'Runs of spaces and tabs become one space; lines are trimmed.' },
    dropEmptyLines: { kind: 'boolean', default: false },
  },
  async run(inputs, params, ctx) {
    const input = inputs.text as TextHandle;
    const outPath = join(ctx.artifactDir, 'text.txt');
    const out = textWriter(outPath);
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
  },
});
