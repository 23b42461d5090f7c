import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import dataChat from './index.ts';
import datasetFile from '../dataset.file/index.ts';
import { readAll, type DataRecord, type DatasetHandle } from '../lib/dataset.ts';
import { responseStream } from '../lib/sft-stream.ts';
import { EOS, TextTokenizer, byteLevelBpeJson, writeTokenizer } from '../lib/tokenizer.ts';
import { DEFAULT_CHAT_TEMPLATE } from '../sdk/index.ts';
import { fakeContext, paramsFor, runNode, runOnRecords } from '../../test/fixtures/node-harness.ts';
import { tempDir } from '../../test/helpers.ts';

const CHATML =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + eos_token + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

function byteTokenizer(specials: string[] = [EOS]): TextTokenizer {
  const path = join(tempDir(), 'tokenizer.json');
  writeTokenizer(path, byteLevelBpeJson([], specials));
  return TextTokenizer.fromFile(path);
}

/** The text of each run of learned tokens, and of the tokens not learned from, in order. */
async function learnedAndNot(tok: TextTokenizer, ids: Int32Array, weights: Float32Array): Promise<{ learned: string[]; other: string[]; all: string }> {
  const learned: string[] = [];
  const other: string[] = [];
  let start = 0;
  for (let i = 1; i <= ids.length; i++) {
    if (i === ids.length || weights[i] !== weights[start]) {
      const text = await tok.decode([...ids.subarray(start, i)]);
      (weights[start] ? learned : other).push(text);
      start = i;
    }
  }
  return { learned, other, all: await tok.decode([...ids]) };
}

const conversation: DataRecord = {
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Capital of France?' },
    { role: 'assistant', content: 'Paris.' },
    { role: 'user', content: 'And of Italy?' },
    { role: 'assistant', content: 'Rome.' },
  ],
};

describe('data.chat: conversations', () => {
  it('renders a single-turn conversation exactly as a prompt/response record', async () => {
    const { dataset } = await runOnRecords(dataChat, {
      train: [{ messages: [{ role: 'user', content: '2+2?' }, { role: 'assistant', content: '4' }] }, { prompt: '2+2?', response: '4' }],
    });
    const [a, b] = await readAll(dataset, 'train');
    expect(a).toMatchObject({ prompt: b!.prompt, response: b!.response, answer: '4', text: b!.text });
    expect(a!.prompt).toBe('user: 2+2?\nassistant: ');
    expect(a!.response).toBe('4<|endoftext|>');
    expect(a!.segments).toBeUndefined();
  });

  it('splits a multi-turn conversation into segments that learn every assistant turn (default template: end-of-text inserted)', async () => {
    const { dataset, result } = await runOnRecords(dataChat, { train: [conversation] });
    const [r] = await readAll(dataset, 'train');
    expect(r!.segments).toEqual([
      { text: 'system: Be brief.\nuser: Capital of France?\nassistant: ', learn: false },
      { text: 'Paris.<|endoftext|>', learn: true },
      { text: '\nuser: And of Italy?\nassistant: ', learn: false },
      { text: 'Rome.<|endoftext|>', learn: true },
    ]);
    // The prompt is what inference shows the model before the last answer: the template's own rendering.
    expect(r!.prompt).toBe(new (await import('@huggingface/jinja')).Template(DEFAULT_CHAT_TEMPLATE).render({ messages: conversation.messages!.slice(0, 4), add_generation_prompt: true, eos_token: EOS, bos_token: '' }));
    expect(r!.answer).toBe('Rome.');
    expect(r!.text).toBe(r!.segments!.map((s) => s.text).join(''));
    expect(result.metrics).toMatchObject({ records: 1, multiTurn: 1 });

    const tok = byteTokenizer();
    const stream = (await responseStream(tok, dataset, 'train'))!;
    const { learned, other, all } = await learnedAndNot(tok, stream.ids, stream.weights);
    expect(all).toBe(r!.text);
    expect(learned).toEqual(['Paris.<|endoftext|>', 'Rome.<|endoftext|>']);
    expect(other).toEqual(['system: Be brief.\nuser: Capital of France?\nassistant: ', '\nuser: And of Italy?\nassistant: ']);
  });

  it('keeps the template\'s own end-of-turn (ChatML with eos_token), so the pieces are exactly the rendered conversation', async () => {
    const { dataset } = await runOnRecords(dataChat, { train: [conversation] }, { template: CHATML, endOfText: '<|im_end|>' });
    const [r] = await readAll(dataset, 'train');
    const { Template } = await import('@huggingface/jinja');
    const whole = new Template(CHATML).render({ messages: conversation.messages, add_generation_prompt: false, eos_token: '<|im_end|>', bos_token: '' });
    // The rendering ends with the last turn's "\n" after <|im_end|>, which nothing follows.
    expect(r!.text + '\n').toBe(whole);
    expect(r!.segments!.filter((s) => s.learn).map((s) => s.text)).toEqual(['Paris.<|im_end|>', 'Rome.<|im_end|>']);

    const tok = byteTokenizer(['<|im_end|>']);
    const stream = (await responseStream(tok, dataset, 'train'))!;
    const { learned, other } = await learnedAndNot(tok, stream.ids, stream.weights);
    expect(learned).toEqual(['Paris.<|im_end|>', 'Rome.<|im_end|>']);
    expect(other.join('')).toBe('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\n\n<|im_start|>user\nAnd of Italy?<|im_end|>\n<|im_start|>assistant\n');
    expect(other.join('')).not.toMatch(/Paris|Rome/);
  });

  it('starts every example with BOS for a tokenizer that adds it (Llama 2 style), learning none of it', async () => {
    const { dataset } = await runOnRecords(dataChat, { train: [conversation, { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] }] }, { endOfText: '</s>' });
    const tok = TextTokenizer.fromFile(fileURLToPath(new URL('../../test/fixtures/hf/llama2-spm/tokenizer.json', import.meta.url)));
    expect(tok.addBos && tok.bos?.text).toBe('<s>');
    const stream = (await responseStream(tok, dataset, 'train'))!;
    const starts = [...stream.ids.keys()].filter((i) => stream.ids[i] === tok.bos!.id);
    expect(starts).toHaveLength(2);
    expect(starts[0]).toBe(0);
    for (const i of starts) expect(stream.weights[i]).toBe(0);
    // What follows each BOS is the example's text, whole.
    const records = await readAll(dataset, 'train');
    expect(await tok.decode([...stream.ids.subarray(1, starts[1])])).toBe(records[0]!.text);
    expect(await tok.decode([...stream.ids.subarray(starts[1]! + 1)])).toBe(records[1]!.text);
    // A byte-level tokenizer without BOS (GPT-2 style) gets none: its stream is the texts alone.
    const byteTok = byteTokenizer();
    const plain = (await responseStream(byteTok, dataset, 'train'))!;
    expect(await byteTok.decode([...plain.ids])).toBe(records.map((r) => r.text).join(''));
  });

  it('adds the node\'s system message only to conversations without one', async () => {
    const { dataset } = await runOnRecords(dataChat, { train: [conversation, { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] }] }, { system: 'Default.' });
    const [a, b] = await readAll(dataset, 'train');
    expect(a!.segments![0]!.text).toMatch(/^system: Be brief\.\n/);
    expect(b!.prompt).toBe('system: Default.\nuser: hi\nassistant: ');
  });

  it('names a bad role, a conversation without an assistant turn, and a template that does not render turn by turn', async () => {
    await expect(runOnRecords(dataChat, { train: [{ messages: [{ role: 'user', content: 'a' }, { role: 'bot', content: 'b' }] } as unknown as DataRecord] })).rejects.toThrow(
      'train record 1: message 2 has role "bot"; expected system, user or assistant',
    );
    await expect(runOnRecords(dataChat, { train: [{ messages: [{ role: 'user', content: 'a' }] }] })).rejects.toThrow('train record 1: no assistant turn to learn from');
    // Renders only the last two messages: earlier turns vanish as the conversation grows.
    const lastTwo = "{% for message in messages[-2:] %}{{ message['role'] }}: {{ message['content'] }}\n{% endfor %}{% if add_generation_prompt %}assistant: {% endif %}";
    await expect(runOnRecords(dataChat, { train: [conversation] }, { template: lastTwo })).rejects.toThrow(/does not render this conversation turn by turn/);
    await expect(runOnRecords(dataChat, { train: [{ text: 'plain' }] })).rejects.toThrow('train record 1 has neither a prompt/response pair nor a "messages" list (fields: text)');
  });

  it('from a messages file to training weights: every assistant turn of every conversation, nothing else', async () => {
    const ctx = fakeContext();
    try {
      const file = fileURLToPath(new URL('../../examples/data/chat-messages.jsonl', import.meta.url));
      const read = await runNode(datasetFile, {}, paramsFor(datasetFile, { file }), ctx);
      const source = read.outputs.dataset as DatasetHandle;
      const rows = await readAll(source, 'train');
      const chatCtx = fakeContext();
      try {
        const chat = await runNode(dataChat, { dataset: source }, paramsFor(dataChat), chatCtx);
        const tok = byteTokenizer();
        const stream = (await responseStream(tok, chat.outputs.dataset as DatasetHandle, 'train'))!;
        const { learned, other } = await learnedAndNot(tok, stream.ids, stream.weights);
        const assistantTurns = rows.flatMap((r) => r.messages!.filter((m) => m.role === 'assistant').map((m) => m.content + EOS));
        // Consecutive records join up: a single-turn record's response runs straight into the next prompt.
        expect(learned).toEqual(assistantTurns);
        const otherText = other.join('');
        for (const r of rows) for (const m of r.messages!) if (m.role !== 'assistant') expect(otherText).toContain(m.content);
        expect(stream.examples).toBe(4);
      } finally {
        chatCtx.cleanup();
      }
    } finally {
      ctx.cleanup();
    }
  });
});
