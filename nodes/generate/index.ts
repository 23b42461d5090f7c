import { defineNode, type NodeResult } from '../sdk/index.ts';

export default defineNode({
  type: 'generate',
  version: 1,
  category: 'Inference',
  label: 'Generate text',
  description: 'Samples continuations of a prompt with temperature, top-k and top-p, using a key/value cache.',
  inputs: { model: { type: 'Model' } },
  outputs: { text: { type: 'Text' } },
  params: {
    prompt: { kind: 'text', default: 'Call me', maxLength: 20_000 },
    maxTokens: { kind: 'integer', default: 100, min: 1, max: 8192 },
    temperature: { kind: 'number', default: 0.8, min: 0, max: 5, help: '0 picks the most likely token every time.' },
    topK: { kind: 'integer', default: 40, min: 0, max: 100_000, help: '0 turns top-k off.' },
    topP: { kind: 'number', default: 0.95, min: 0, max: 1, help: '1 turns nucleus sampling off.' },
    samples: { kind: 'integer', default: 3, min: 1, max: 100 },
  },
  async run(inputs, p, ctx): Promise<NodeResult> {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { openModelInput } = await import('../lib/model-input.ts');
    const { generate } = await import('../lib/gpt/generate.ts');
    const { EOS } = await import('../lib/tokenizer.ts');
    const model = await openModelInput(inputs.model);
    const { backend, config, params, tok } = model;
    try {
      if (!config.causal) throw new Error('text generation needs a decoder (causal) model');
      const prompt = await tok.encode(p.prompt);
      const stop = tok.specials[EOS] !== undefined ? [tok.specials[EOS]] : [];
      const texts: string[] = [];
      let tokens = 0;
      const started = performance.now();
      for (let i = 0; i < p.samples; i++) {
        const ids = await generate(params, config, prompt, { maxTokens: p.maxTokens, temperature: p.temperature, topK: p.topK, topP: p.topP, seed: ctx.seed + i, stopTokens: stop }, async () => {
          tokens++;
          await ctx.progress({ step: tokens, total: p.samples * p.maxTokens });
        });
        const text = p.prompt + (await tok.decode(ids));
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
  },
});
