import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openModelInput } from '../lib/model-input.ts';
import { generate } from '../lib/gpt/generate.ts';
import { EOS } from '../lib/tokenizer.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (inputs, p, ctx) => {
  const model = await openModelInput(inputs.model);
  const { backend, config, params, tok } = model;
  try {
    if (!config.causal) throw new Error('text generation needs a decoder (causal) model');
    const prompt = await tok.encodePrompt(p.prompt);
    // The model's own end-of-sequence token (Llama 2's </s>) and Weft's end-of-text.
    const stop = [...new Set([config.eosTokenId, tok.specials[EOS]].filter((id): id is number => id !== undefined))];
    const texts: string[] = [];
    let tokens = 0;
    const started = performance.now();
    for (let i = 0; i < p.samples; i++) {
      const ids = await generate(params, config, prompt, { maxTokens: p.maxTokens, temperature: p.temperature, topK: p.topK, topP: p.topP, seed: ctx.seed + i, stopTokens: stop }, async () => {
        tokens++;
        await ctx.progress({ step: tokens, total: p.samples * p.maxTokens });
      });
      const text = p.prompt + (await tok.decodeAfter(prompt, ids));
      texts.push(text);
      ctx.log.info(`sample ${i + 1}: ${text}`);
    }
    const path = join(ctx.artifactDir, 'samples.txt');
    const body = texts.join('\n\n---\n\n');
    writeFileSync(path, body);
    writeFileSync(join(ctx.artifactDir, 'samples.json'), JSON.stringify(texts, null, 2));
    return { outputs: { text: { kind: 'text', path, chars: body.length } }, metrics: { tokens, tokensPerSecond: tokens / ((performance.now() - started) / 1000) }, backend };
  } finally {
    model.dispose();
  }
};

export default run;
