import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.ts';
import type { SamplingSettings } from '../../sdk/playground.ts';
import { tf } from '../backend.ts';
import { DEFAULT_CHAT_TEMPLATE, writeChatFormat } from '../chat-template.ts';
import type { GptConfig } from '../gpt/config.ts';
import { generate } from '../gpt/generate.ts';
import { saveModelFolder } from '../gpt/io.ts';
import { addClassifierHead, disposeParams, initParams } from '../gpt/model.ts';
import { encodeForClassifier } from '../classify-input.ts';
import { predict } from '../train/classifier-trainer.ts';
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

  it('labels text with a classifier exactly as evaluation predicts it, with probabilities that add up to one', async () => {
    const dir = tempDir('weft-playground-');
    writeTokenizer(join(dir, 'tok.json'), byteLevelBpeJson([], [EOS]));
    const c: GptConfig = { ...config, vocabSize: 257, numClasses: 3, labels: ['ham', 'spam', 'other'] };
    const p = initParams({ ...c, numClasses: 0 }, 5);
    addClassifierHead(p, c, 3, 9);
    await saveModelFolder(dir, p, c, join(dir, 'tok.json'));
    const tok = TextTokenizer.fromFile(join(dir, 'tokenizer.json'));
    const session = new PlaygroundSession();
    for (const text of ['Buy cheap watches now!!!', 'Meeting moved to 3pm', '']) {
      const { stats } = await collect(session, { modelDir: dir, mode: 'classify', prompt: text, settings: greedy });
      const labels = stats.prediction!.labels!;
      expect(labels.map((l) => l.label).sort()).toEqual(['ham', 'other', 'spam']);
      expect(labels.reduce((a, l) => a + l.probability, 0)).toBeCloseTo(1, 5);
      const ids = await encodeForClassifier(tok, [text], c.contextLength, 0);
      const [expected] = await predict({ config: c, params: p, padId: tok.specials[EOS] ?? 0, batchSize: 1 }, ids);
      expect(labels[0]!.label).toBe(c.labels![expected!]);
    }
    disposeParams(p);
    await expect(collect(session, { modelDir: await modelFolder(), mode: 'classify', prompt: 'x', settings: greedy })).rejects.toThrow(/no classification head/);
    session.dispose();
  });

  it('fills in each <mask> of a text with an encoder, and refuses to make it write on', async () => {
    const session = new PlaygroundSession();
    const enc = await modelFolder({ ...config, causal: false, maskTokenId: 0 });
    const { text, stats } = await collect(session, { modelDir: enc, mode: 'fill-mask', prompt: 'Call me <mask>. Some years <mask>.', settings: greedy });
    const masks = stats.prediction!.masks!;
    expect(masks).toHaveLength(2);
    for (const m of masks) {
      expect(m.candidates).toHaveLength(5);
      expect(m.candidates.map((x) => x.probability)).toEqual([...m.candidates.map((x) => x.probability)].sort((a, b) => b - a));
    }
    expect(text).toBe(`Call me ${masks[0]!.candidates[0]!.token}. Some years ${masks[1]!.candidates[0]!.token}.`);
    await expect(collect(session, { modelDir: enc, mode: 'fill-mask', prompt: 'no mask here', settings: greedy })).rejects.toThrow(/write <mask>/);
    await expect(collect(session, { modelDir: enc, mode: 'complete', prompt: 'a', settings: greedy })).rejects.toThrow(/encoder .*fills in <mask>/);
    session.dispose();
  });
});
