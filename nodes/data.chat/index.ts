import { DEFAULT_CHAT_TEMPLATE, chatVariables } from '../lib/chat-template.ts';
import { defineNode } from '../sdk/index.ts';

export default defineNode({
  type: 'data.chat',
  version: 1,
  // 2: the dataset carries its chat format, and prompts are rendered with eos_token/bos_token set.
  outputRevision: 2,
  category: 'Data',
  label: 'Chat format',
  description:
    'Turns prompt/response records into training text with a Jinja chat template. The rendered prompt stays in "prompt" and the answer (plus end-of-text) in "response", so fine-tuning can learn from response tokens only.',
  inputs: { dataset: { type: 'Dataset' } },
  outputs: { dataset: { type: 'Dataset' } },
  params: {
    template: { kind: 'text', default: DEFAULT_CHAT_TEMPLATE, maxLength: 20_000, help: 'A Hugging Face chat template (Jinja) over `messages`, with `add_generation_prompt`.' },
    system: { kind: 'text', default: '', maxLength: 20_000, help: 'Optional system message before each prompt.' },
    endOfText: { kind: 'string', default: '<|endoftext|>', help: 'Appended to each response so the model learns to stop.' },
  },
  async run(inputs, p, ctx) {
    const { Template } = await import('@huggingface/jinja');
    const { assertDataset, readSplit, DatasetWriter, SPLITS } = await import('../lib/dataset.ts');
    let template: InstanceType<typeof Template>;
    try {
      template = new Template(p.template);
    } catch (e) {
      throw new Error(`the chat template does not parse: ${(e as Error).message}`);
    }
    const source = assertDataset(inputs.dataset, 'dataset');
    const writer = new DatasetWriter(ctx.artifactDir);
    let n = 0;
    for (const split of SPLITS) {
      for await (const r of readSplit(source, split)) {
        if (typeof r.prompt !== 'string' || typeof r.response !== 'string') throw new Error(`${split} record ${n + 1} has no prompt/response pair`);
        const messages = [...(p.system ? [{ role: 'system', content: p.system }] : []), { role: 'user', content: r.prompt }];
        const prompt = template.render(chatVariables(messages, p.endOfText));
        const response = r.response + p.endOfText;
        await writer.write(split, { ...r, prompt, response, answer: r.response, text: prompt + response });
        if (++n % 1000 === 0) await ctx.progress({ step: n, total: n });
      }
    }
    // The format travels with the data, so chat fine-tuning can store it beside the model it trains.
    const dataset = { ...(await writer.close()), chat: { template: p.template, endOfText: p.endOfText, ...(p.system ? { system: p.system } : {}) } };
    return { outputs: { dataset }, metrics: { records: n } };
  },
});
