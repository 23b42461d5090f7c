import { chatVariables } from '../lib/chat-template.ts';
import { Template } from '@huggingface/jinja';
import { withSplitFiles, readSplit, DatasetWriter, SPLITS } from '../lib/dataset.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (inputs, p, ctx) => {
  let template: InstanceType<typeof Template>;
  try {
    template = new Template(p.template);
  } catch (e) {
    throw new Error(`the chat template does not parse: ${(e as Error).message}`);
  }
  const source = withSplitFiles(inputs.dataset);
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
};

export default run;
