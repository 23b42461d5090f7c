import { statSync } from 'node:fs';
import { join } from 'node:path';
import { type TextHandle } from '../sdk/index.ts';
import { perMille, readTextChunks, textWriter } from '../lib/text-io.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (_inputs, params, ctx) => {
  // The text written is about as large as the file read (UTF-8 of it, line ends normalised).
  const out = textWriter(join(ctx.artifactDir, 'text.txt'), { expectedBytes: statSync(params.file).size });
  let pendingCR = false;
  let lines = 0;
  for await (const { text, bytesRead, totalBytes } of readTextChunks(params.file, ctx.signal, { encoding: params.encoding })) {
    // A \r\n pair can straddle two chunks; carry a trailing \r over.
    let chunk: string = (pendingCR ? '\r' : '') + text;
    pendingCR = chunk.endsWith('\r');
    if (pendingCR) chunk = chunk.slice(0, -1);
    const normalised = chunk.replace(/\r\n?/g, '\n');
    for (let i = normalised.indexOf('\n'); i !== -1; i = normalised.indexOf('\n', i + 1)) lines++;
    await out.write(normalised);
    await ctx.progress({ step: perMille(bytesRead, totalBytes), total: 1000 });
  }
  if (pendingCR) {
    await out.write('\n');
    lines++;
  }
  const chars = await out.close();
  const handle: TextHandle = { kind: 'text', path: join(ctx.artifactDir, 'text.txt'), chars };
  ctx.log.info(`read ${chars.toLocaleString('en-US')} characters in ${lines.toLocaleString('en-US')} lines`);
  return { outputs: { text: handle }, metrics: { chars, lines } };
};

export default run;
