import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.ts';
import type { SamplingSettings } from '../../sdk/playground.ts';
import { tf } from '../backend.ts';
import { DEFAULT_CHAT_TEMPLATE, writeChatFormat } from '../chat-template.ts';
import type { GptConfig } from '../gpt/config.ts';
import { generate } from '../gpt/generate.ts';
import { saveModelFolder } from '../gpt/io.ts';
import { disposeParams, initParams } from '../gpt/model.ts';
import { EOS, TextTokenizer, byteLevelBpeJson, writeTokenizer } from '../tokenizer.ts';
import { PlaygroundSession } from './session.ts';

const config: GptConfig = { vocabSize: 257, contextLength: 64, width: 32, layers: 2, heads: 4, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 };
const greedy: SamplingSettings = { maxTokens: 24, temperature: 0, topK: 0, topP: 1, seed: 1 };

async function modelFolder(c: GptConfig = config): Promise<string> {
  const dir = tempDir('weft-playground-');
  // No special tokens: a random model could otherwise stop early on end-of-text.
  writeTokenizer(join(dir, 'tok.json'), byteLevelBpeJson([], []));
  const p = initParams(c, 5);
  await saveModelFolder(dir, p, c, join(dir, 'tok.json'));
  disposeParams(p);
  return dir;
}

async function collect(session: PlaygroundSession, req: Parameters<PlaygroundSession['generate']>[0], signal = new AbortController().signal) {
  const deltas: string[] = [];
  const stats = await session.generate(req, (d) => deltas.push(d), signal);
  return { deltas, text: deltas.join(''), stats };
}

describe('playground session', () => {
  it('streams, piece by piece, exactly the text generation produces for the same settings', async () => {
    const dir = await modelFolder();
    const session = new PlaygroundSession();
    const { deltas, text, stats } = await collect(session, { modelDir: dir, mode: 'complete', prompt: 'Call me', settings: greedy });
    const tok = TextTokenizer.fromFile(join(dir, 'tokenizer.json'));
    const { loadModelFolder } = await import('../gpt/io.ts');
    const { params } = loadModelFolder(dir);
    const expected = await tok.decode(await generate(params, config, await tok.encode('Call me'), { ...greedy }));
    disposeParams(params);
    expect(text).toBe(expected);
    expect(deltas.length).toBeGreaterThan(3);
    expect(stats).toMatchObject({ reason: 'length', tokens: 24, promptTokens: 7, promptTokensDropped: 0 });
    session.dispose();
  });

  it('stops before a stop string and never sends any of it', async () => {
    const dir = await modelFolder();
    const session = new PlaygroundSession();
    const full = (await collect(session, { modelDir: dir, mode: 'complete', prompt: 'abc', settings: greedy })).text;
    const stop = full.slice(6, 9);
    const { text, stats } = await collect(session, { modelDir: dir, mode: 'complete', prompt: 'abc', settings: { ...greedy, stop: [stop] } });
    expect(text).toBe(full.slice(0, full.indexOf(stop)));
    expect(stats.reason).toBe('stop');
    session.dispose();
  });

  it('stops when cancelled and keeps the tensor count flat across requests', async () => {
    const dir = await modelFolder();
    const session = new PlaygroundSession();
    await collect(session, { modelDir: dir, mode: 'complete', prompt: 'x', settings: { ...greedy, maxTokens: 4 } });
    const before = tf.memory().numTensors;
    const abort = new AbortController();
    let n = 0;
    const stats = await session.generate({ modelDir: dir, mode: 'complete', prompt: 'x', settings: greedy }, () => ++n === 3 && abort.abort(), abort.signal);
    expect(stats.reason).toBe('cancelled');
    expect(stats.tokens).toBeLessThan(greedy.maxTokens);
    for (let i = 0; i < 3; i++) await collect(session, { modelDir: dir, mode: 'complete', prompt: 'hello', settings: { ...greedy, temperature: 0.9, topK: 20, seed: i } });
    expect(tf.memory().numTensors).toBe(before);
    session.dispose();
  });

  it('keeps the end of a prompt longer than the context and says how much it dropped', async () => {
    const dir = await modelFolder();
    const session = new PlaygroundSession();
    const { stats } = await collect(session, { modelDir: dir, mode: 'complete', prompt: 'y'.repeat(100), settings: { ...greedy, maxTokens: 10 } });
    expect(stats.promptTokensDropped).toBe(100 - (config.contextLength - 1 - 10));
    expect(stats.tokens).toBe(10);
    session.dispose();
  });

  it('writes past the context window by sliding it, keeping the whole prompt and no stray tensors', async () => {
    const dir = await modelFolder();
    const session = new PlaygroundSession();
    await collect(session, { modelDir: dir, mode: 'complete', prompt: 'x', settings: { ...greedy, maxTokens: 2 } });
    const before = tf.memory().numTensors;
    const { stats, text } = await collect(session, { modelDir: dir, mode: 'complete', prompt: 'Call me Ishmael.', settings: { ...greedy, maxTokens: 3 * config.contextLength } });
    expect(stats).toMatchObject({ reason: 'length', tokens: 3 * config.contextLength, promptTokensDropped: 0 });
    expect(text.length).toBeGreaterThan(config.contextLength); // byte tokens: at least a character per 4
    expect(tf.memory().numTensors).toBe(before);
    session.dispose();
  });

  it("renders a chat with the template the model was fine-tuned with, exactly as Chat format rendered its training prompts", async () => {
    const { Template } = await import('@huggingface/jinja');
    const template = "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";
    const dir = await modelFolder();
    writeChatFormat(dir, { template, endOfText: EOS, system: 'Be brief.' }, config.contextLength);
    const { readChatFormat } = await import('../chat-template.ts');
    const chat = readChatFormat(dir);
    const rendered = await PlaygroundSession.renderPrompt({ mode: 'chat', messages: [{ role: 'user', content: 'sort: dcba' }] }, chat);
    const training = new Template(template).render({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'sort: dcba' }], add_generation_prompt: true });
    expect(rendered).toBe(training);
    // A model never fine-tuned for chat gets the default "role: content" format.
    expect(await PlaygroundSession.renderPrompt({ mode: 'chat', messages: [{ role: 'user', content: 'hi' }] }, null)).toBe(new Template(DEFAULT_CHAT_TEMPLATE).render({ messages: [{ role: 'user', content: 'hi' }], add_generation_prompt: true }));
    const session = new PlaygroundSession();
    const { stats } = await collect(session, { modelDir: dir, mode: 'chat', messages: [{ role: 'user', content: 'sort: dcba' }], settings: { ...greedy, maxTokens: 5 } });
    expect(stats.promptTokens).toBe(rendered.length);
    session.dispose();
  });

  it('refuses an encoder or a classifier with a reason', async () => {
    const session = new PlaygroundSession();
    const enc = await modelFolder({ ...config, causal: false, maskTokenId: 0 });
    await expect(collect(session, { modelDir: enc, mode: 'complete', prompt: 'a', settings: greedy })).rejects.toThrow(/encoder .*only decoder models generate/);
    session.dispose();
  });
});
