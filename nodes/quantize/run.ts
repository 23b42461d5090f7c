import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parameterCount } from '../lib/gpt/config.ts';
import { generate } from '../lib/gpt/generate.ts';
import { disposeParams, type Params } from '../lib/gpt/model.ts';
import { writeModelGguf } from '../lib/sized-write.ts';
import { weightBytes, writeCompanions } from '../lib/gguf/folder.ts';
import { loadGguf } from '../lib/gguf/load.ts';
import { withSplitFiles } from '../lib/dataset.ts';
import { openModelInput } from '../lib/model-input.ts';
import { MemoryTokens, type TokenSource } from '../lib/token-source.ts';
import { tokenStream } from '../lib/token-stream.ts';
import type { TextTokenizer } from '../lib/tokenizer.ts';
import type { GptConfig } from '../lib/gpt/config.ts';
import type { NodeContext, RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';
import { windowPerplexity } from '../lib/window-perplexity.ts';

type Inputs = Parameters<RunOf<typeof spec>>[0];
type P = Parameters<RunOf<typeof spec>>[1];

/** The tokens perplexity is measured on: the dataset's split, or the text, or none. */
async function evaluationTokens(inputs: Inputs, p: P, tok: TextTokenizer, ctx: NodeContext): Promise<{ tokens: TokenSource; close(): void; source: string } | null> {
  if (inputs.dataset) {
    const stream = await tokenStream(tok, withSplitFiles(inputs.dataset), p.split, ctx.checkpointDir);
    if (!stream) throw new Error(`the dataset has no ${p.split} split; choose another split or add a Split node`);
    return { tokens: stream, close: () => stream.close(), source: `the ${p.split} split` };
  }
  if (inputs.text) {
    // Enough characters for maxTokens tokens at any realistic compression, never the whole of a huge file.
    const text = readFileSync(inputs.text.path, 'utf8').slice(0, p.maxTokens * 16);
    return { tokens: new MemoryTokens(Int32Array.from(await tok.encode(text))), close: () => {}, source: inputs.text.path };
  }
  return null;
}

/** Greedy continuations of a few passages, before and after: what a user reads to judge the loss. */
async function samples(before: Params, after: Params, config: GptConfig, tok: TextTokenizer, tokens: TokenSource | null, seed: number) {
  const promptLength = Math.min(16, Math.floor(config.contextLength / 2));
  const maxTokens = Math.min(24, config.contextLength - promptLength - 1);
  const prompts: number[][] = [];
  if (tokens && tokens.length > promptLength) for (let k = 0; k < 3; k++) prompts.push(Array.from(tokens.read(Math.floor((k * (tokens.length - promptLength)) / 3), promptLength)));
  else prompts.push(await tok.encode('The'));
  const rows = [];
  for (const prompt of prompts) {
    const o = { maxTokens, temperature: 0, topK: 0, topP: 1, seed };
    rows.push({ prompt: await tok.decode(prompt), before: await tok.decode(await generate(before, config, prompt, o)), after: await tok.decode(await generate(after, config, prompt, o)) });
  }
  return rows;
}

const run: RunOf<typeof spec> = async (inputs, p, ctx) => {
  const model = await openModelInput(inputs.model);
  const { backend, config, params, tok } = model;
  let quantized: Params | null = null;
  let evalTokens: Awaited<ReturnType<typeof evaluationTokens>> = null;
  try {
    const bytesBefore = weightBytes(inputs.model.dir);
    evalTokens = await evaluationTokens(inputs, p, tok, ctx);
    const perplexity = async (weights: Params, phase: string) =>
      evalTokens ? windowPerplexity(weights, config, evalTokens.tokens, p.maxTokens, p.batchSize, (step, total, loss) => ctx.progress({ step, total, metrics: { [`loss${phase}`]: loss } })) : null;
    const before = await perplexity(params, 'Before');

    const path = join(ctx.artifactDir, 'model.gguf');
    const written = await writeModelGguf(params, config, model.tokenizerPath, path, p.type, {
      signal: ctx.signal,
      onTensor: (step, total) => ctx.progress({ step, total }),
    });
    writeCompanions(model.dir, ctx.artifactDir, config);
    ctx.log.info(`wrote ${path}: ${written.bytes} bytes, ${written.tensors} tensors (${Object.entries(written.typeCounts).map(([t, n]) => `${n} ${t}`).join(', ')})`);

    // Measure what users will run: the file read back and dequantized, as Generate and Evaluate load it.
    quantized = (await loadGguf(path, ctx.artifactDir)).params;
    const after = await perplexity(quantized, 'After');
    const table = await samples(params, quantized, config, tok, evalTokens?.tokens ?? null, ctx.seed);
    writeFileSync(join(ctx.artifactDir, 'samples.json'), JSON.stringify(table, null, 2));

    const values: Record<string, number> = {
      bytesBefore,
      bytesAfter: written.bytes,
      compression: bytesBefore / written.bytes,
      tensors: written.tensors,
      quantizedTensors: (written.typeCounts.Q8_0 ?? 0) + (written.typeCounts.Q4_0 ?? 0) + (written.typeCounts.Q5_0 ?? 0) + (written.typeCounts.Q4_K ?? 0),
    };
    if (before && after) {
      Object.assign(values, { perplexityBefore: before.perplexity, perplexityAfter: after.perplexity, perplexityChange: after.perplexity / before.perplexity - 1, evalTokens: after.tokens });
      ctx.log.info(`perplexity on ${evalTokens!.source}: ${before.perplexity.toFixed(3)} before, ${after.perplexity.toFixed(3)} after (${(100 * values.perplexityChange!).toFixed(2)}%)`);
    } else {
      ctx.log.warn('no dataset or text connected: perplexity before and after was not measured (connect one to see what quantization costs)');
    }
    ctx.log.info(`weights: ${bytesBefore} bytes before, ${written.bytes} after (${values.compression!.toFixed(2)}x smaller)`);
    writeFileSync(join(ctx.artifactDir, 'quantization.json'), JSON.stringify({ type: p.type, typeCounts: written.typeCounts, ...values }, null, 2));
    return {
      outputs: {
        model: { kind: 'model', dir: ctx.artifactDir, parameters: parameterCount(config), config, quantization: p.type },
        metrics: { kind: 'metrics', values },
      },
      metrics: values,
      backend,
    };
  } finally {
    evalTokens?.close();
    if (quantized) disposeParams(quantized);
    model.dispose();
  }
};

export default run;
