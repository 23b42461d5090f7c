import { chatVariables } from '../lib/chat-template.ts';
import { checkMessages, renderConversation } from '../lib/chat-render.ts';
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
  let multiTurn = 0;
  for (const split of SPLITS) {
    let i = 0;
    for await (const r of readSplit(source, split)) {
      i++;
      if (r.messages !== undefined) {
        // A conversation (Dataset from files' chat layouts): every assistant turn is learned from.
        let rendered;
        try {
          const turns = checkMessages(r.messages);
          const messages = p.system && !turns.some((m) => m.role === 'system') ? [{ role: 'system' as const, content: p.system }, ...turns] : turns;
          rendered = renderConversation(template, messages, p.endOfText);
        } catch (e) {
          throw new Error(`${split} record ${i}: ${(e as Error).message}`);
        }
        const { prompt, response, answer, segments } = rendered;
        if (segments) multiTurn++;
        const text = segments ? segments.map((s) => s.text).join('') : prompt + response;
        await writer.write(split, { ...r, prompt, response, answer, text, ...(segments ? { segments } : {}) });
      } else {
        if (typeof r.prompt !== 'string' || typeof r.response !== 'string') {
          throw new Error(`${split} record ${i} has neither a prompt/response pair nor a "messages" list (fields: ${Object.keys(r).join(', ') || 'none'})`);
        }
        const messages = [...(p.system ? [{ role: 'system', content: p.system }] : []), { role: 'user', content: r.prompt }];
        const prompt = template.render(chatVariables(messages, p.endOfText));
        const response = r.response + p.endOfText;
        await writer.write(split, { ...r, prompt, response, answer: r.response, text: prompt + response });
      }
      if (++n % 1000 === 0) await ctx.progress({ step: n, total: n });
    }
  }
  if (multiTurn) ctx.log.info(`${multiTurn.toLocaleString('en-US')} multi-turn conversation(s): every assistant turn is learned from`);
  // The format travels with the data, so chat fine-tuning can store it beside the model it trains.
  const dataset = { ...(await writer.close()), chat: { template: p.template, endOfText: p.endOfText, ...(p.system ? { system: p.system } : {}) } };
  return { outputs: { dataset }, metrics: { records: n, multiTurn } };
};

export default run;
