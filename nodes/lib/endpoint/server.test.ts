/**
 * The endpoint through the official `openai` client, in this process: a tiny random Weft model served
 * by startEndpointServer, so each OpenAI behaviour is checked against what Weft's own generation
 * produces for the same settings.
 */
import OpenAI from 'openai';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyModelFolder } from '../../../test/fixtures/tiny-model.ts';
import { tf } from '../backend.ts';
import { generate } from '../gpt/generate.ts';
import { loadModelFolder } from '../gpt/io.ts';
import { disposeParams } from '../gpt/model.ts';
import { TextTokenizer } from '../tokenizer.ts';
import { startEndpointServer, type EndpointServer } from './server.ts';
import type { ServedModel } from './served-model.ts';
import { WeftServedModel } from './weft-model.ts';

const KEY = 'sk-weft-test-key';
let dir: string;
let model: WeftServedModel;
let server: EndpointServer;
let client: OpenAI;
/** Holds every generation until released, so a test can have one request running while others arrive. */
let gate: Promise<void> | null = null;

beforeAll(async () => {
  dir = await tinyModelFolder();
  model = await WeftServedModel.open(dir);
  const gated: ServedModel = {
    backend: model.backend,
    contextLength: model.contextLength,
    renderChat: (m) => model.renderChat(m),
    generate: async (...args) => {
      if (gate) await gate;
      return model.generate(...args);
    },
    dispose: () => model.dispose(),
  };
  server = await startEndpointServer({ id: 'test', modelName: 'tiny', model: gated, key: KEY, host: '127.0.0.1', port: 0, queueLimit: 1, maxTokens: 100, bodyLimit: 64 * 1024 });
  // No retries: a 429 must reach the test as it left the server.
  client = new OpenAI({ baseURL: server.url, apiKey: KEY, maxRetries: 0 });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await model?.dispose();
});

/** What Weft's generate() writes for a prompt with these settings: the reference the endpoint must match. */
async function reference(prompt: string, maxTokens: number, seed: number, temperature = 0, topP = 1): Promise<{ text: string; promptTokens: number }> {
  const tok = TextTokenizer.fromFile(join(dir, 'tokenizer.json'));
  const { config, params } = loadModelFolder(dir);
  try {
    const ids = await tok.encode(prompt);
    const out = await generate(params, config, ids, { maxTokens, temperature, topK: 0, topP, seed });
    return { text: await tok.decode(out), promptTokens: ids.length };
  } finally {
    disposeParams(params);
  }
}

async function raw(path: string, init: RequestInit & { key?: string } = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(server.url.replace(/\/v1$/, '') + path, { ...init, headers: { Authorization: `Bearer ${init.key ?? KEY}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the test says so by failing on body.error.
  }
  return { status: res.status, body };
}

describe('OpenAI-compatible endpoint (openai client)', () => {
  it('lists its model', async () => {
    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toEqual(['tiny']);
    expect((await client.models.retrieve('tiny')).id).toBe('tiny');
  });

  it('completes text exactly as Weft generates it, with usage counts and finish_reason length', async () => {
    const ref = await reference('Call me', 20, 3);
    const r = await client.completions.create({ model: 'tiny', prompt: 'Call me', max_tokens: 20, temperature: 0, seed: 3 });
    expect(r.object).toBe('text_completion');
    expect(r.choices[0]!.text).toBe(ref.text);
    expect(r.choices[0]!.finish_reason).toBe('length');
    expect(r.usage).toEqual({ prompt_tokens: ref.promptTokens, completion_tokens: 20, total_tokens: ref.promptTokens + 20 });
  });

  it('samples with the seed: same seed same text, sampling settings honoured', async () => {
    const a = await client.completions.create({ model: 'tiny', prompt: 'abc', max_tokens: 30, temperature: 1.2, top_p: 0.9, seed: 11 });
    const b = await client.completions.create({ model: 'tiny', prompt: 'abc', max_tokens: 30, temperature: 1.2, top_p: 0.9, seed: 11 });
    const c = await client.completions.create({ model: 'tiny', prompt: 'abc', max_tokens: 30, temperature: 1.2, top_p: 0.9, seed: 12 });
    expect(a.choices[0]!.text).toBe(b.choices[0]!.text);
    expect(c.choices[0]!.text).not.toBe(a.choices[0]!.text);
    expect(a.choices[0]!.text).toBe((await reference('abc', 30, 11, 1.2, 0.9)).text);
  });

  it('streams a chat completion whose chunks reassemble to the non-streamed answer for the same seed', async () => {
    const request = { model: 'tiny', messages: [{ role: 'user' as const, content: 'Hello there' }], max_tokens: 40, temperature: 0.9, seed: 7 };
    const whole = await client.chat.completions.create(request);
    const stream = await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
    const pieces: string[] = [];
    let finish: string | null = null;
    let role: string | undefined;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      role ??= choice.delta.role;
      if (choice.delta.content) pieces.push(choice.delta.content);
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    expect(role).toBe('assistant');
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe(whole.choices[0]!.message.content);
    expect(finish).toBe(whole.choices[0]!.finish_reason);
    expect(usage).toEqual(whole.usage);
    // The conversation went through the model's chat template.
    const ref = await reference('user: Hello there\nassistant: ', 40, 7, 0.9);
    expect(whole.choices[0]!.message.content).toBe(ref.text);
    expect(whole.usage!.prompt_tokens).toBe(ref.promptTokens);
  });

  it('cuts the output before a stop string and reports finish_reason stop', async () => {
    const full = (await client.completions.create({ model: 'tiny', prompt: 'xyz', max_tokens: 30, temperature: 0 })).choices[0]!.text;
    const stop = full.slice(8, 11);
    const r = await client.completions.create({ model: 'tiny', prompt: 'xyz', max_tokens: 30, temperature: 0, stop: [stop] });
    expect(r.choices[0]!.text).toBe(full.slice(0, full.indexOf(stop)));
    expect(r.choices[0]!.finish_reason).toBe('stop');
    const streamed: string[] = [];
    for await (const chunk of await client.completions.create({ model: 'tiny', prompt: 'xyz', max_tokens: 30, temperature: 0, stop, stream: true })) streamed.push(chunk.choices[0]?.text ?? '');
    expect(streamed.join('')).toBe(r.choices[0]!.text);
  });

  it('refuses a wrong key with 401 and an OpenAI error object', async () => {
    const bad = new OpenAI({ baseURL: server.url, apiKey: 'sk-wrong', maxRetries: 0 });
    const e = await bad.models.list().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((e as InstanceType<typeof OpenAI.APIError>).status).toBe(401);
    expect((e as InstanceType<typeof OpenAI.APIError>).code).toBe('invalid_api_key');
    const none = await fetch(server.url + '/models');
    expect(none.status).toBe(401);
  });

  it('queues a request that arrives while another runs, refuses one beyond the queue with 429, and answers both in order', async () => {
    let release!: () => void;
    gate = new Promise<void>((r) => (release = r));
    const order: string[] = [];
    const first = client.completions.create({ model: 'tiny', prompt: 'one', max_tokens: 10, temperature: 0 }).then((r) => (order.push('first'), r));
    // Wait until the first holds the model, then send the second: it must wait in the queue.
    await until(async () => (await raw('/weft/status')).body.running === true);
    const second = client.completions.create({ model: 'tiny', prompt: 'two', max_tokens: 10, temperature: 0 }).then((r) => (order.push('second'), r));
    await until(async () => (await raw('/weft/status')).body.queued === 1);
    // The queue holds one: a third is refused at once.
    const third = await client.completions.create({ model: 'tiny', prompt: 'three', max_tokens: 10, temperature: 0 }).catch((x: unknown) => x);
    expect(third).toBeInstanceOf(OpenAI.RateLimitError);
    expect((third as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    gate = null;
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    expect(a.choices[0]!.text).toBe((await reference('one', 10, 0)).text);
    expect(b.choices[0]!.text).toBe((await reference('two', 10, 0)).text);
  });

  it('answers malformed JSON, unknown models and bad fields with OpenAI error objects, and keeps serving', async () => {
    const malformed = await raw('/v1/chat/completions', { method: 'POST', body: '{"model": "tiny", "messages": [' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json', param: null });
    expect(typeof malformed.body.error.message).toBe('string');

    const unknown = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((x: unknown) => x);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect((unknown as InstanceType<typeof OpenAI.APIError>).code).toBe('model_not_found');

    const tooMany = await client.completions.create({ model: 'tiny', prompt: 'a', max_tokens: 101 }).catch((x: unknown) => x);
    expect((tooMany as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect((tooMany as InstanceType<typeof OpenAI.APIError>).param).toBe('max_tokens');

    const n2 = await client.completions.create({ model: 'tiny', prompt: 'a', n: 2 }).catch((x: unknown) => x);
    expect((n2 as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect((n2 as InstanceType<typeof OpenAI.APIError>).param).toBe('n');

    const missing = await raw('/v1/completions', { method: 'POST', body: JSON.stringify({ model: 'tiny' }) });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ param: 'prompt', code: 'missing_required_parameter' });

    const huge = await raw('/v1/completions', { method: 'POST', body: JSON.stringify({ model: 'tiny', prompt: 'x'.repeat(70 * 1024) }) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('request_too_large');

    const longPrompt = await client.completions.create({ model: 'tiny', prompt: 'y'.repeat(200), max_tokens: 5 }).catch((x: unknown) => x);
    expect((longPrompt as InstanceType<typeof OpenAI.APIError>).code).toBe('context_length_exceeded');

    const route = await raw('/v1/embeddings', { method: 'POST', body: '{}' });
    expect(route.status).toBe(404);
    expect(route.body.error.message).toMatch(/no such route/);

    // Still serving after all of that.
    expect((await client.models.list()).data).toHaveLength(1);
    expect((await client.completions.create({ model: 'tiny', prompt: 'ok', max_tokens: 3 })).choices[0]!.text.length).toBeGreaterThan(0);
  });

  it('refuses a request whose Host header names another site (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/v1/models', headers: { Host: 'evil.example:80', Authorization: `Bearer ${KEY}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('keeps the tensor count flat across requests', async () => {
    await client.completions.create({ model: 'tiny', prompt: 'warm', max_tokens: 5 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await client.completions.create({ model: 'tiny', prompt: `n${i}`, max_tokens: 8, temperature: 0.7 });
      await client.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: 'x' }], max_tokens: 8, stream: false });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

async function until(check: () => Promise<boolean>, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition never held');
}

describe('any Weft model family, checked against transformers', () => {
  const FIXTURES = new URL('../../../test/fixtures/hf/', import.meta.url);
  // Tiny random models saved by transformers (test/fixtures/hf/make_fixtures.py), with transformers'
  // own greedy continuation of a prompt: the endpoint must write exactly those tokens.
  for (const family of ['gpt2-relu', 'mistral', 'qwen2-f16', 'qwen3', 'smollm-tied', 'llama3-gqa-bf16-sharded']) {
    it(`${family}: a greedy completion is transformers' greedy continuation`, async () => {
      const { fileURLToPath } = await import('node:url');
      const { readFileSync } = await import('node:fs');
      const dir = fileURLToPath(new URL(`${family}/`, FIXTURES));
      const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as { input_ids: number[]; greedy: number[] };
      const tok = TextTokenizer.fromFile(join(dir, 'tokenizer.json'));
      const prompt = await tok.decode(ref.input_ids);
      // The prompt goes over HTTP as text: it must encode back to the reference's tokens.
      expect(await tok.encode(prompt)).toEqual(ref.input_ids);
      const served = await WeftServedModel.open(dir);
      const s = await startEndpointServer({ id: family, modelName: family, model: served, key: KEY, host: '127.0.0.1', port: 0, queueLimit: 0, maxTokens: 32, bodyLimit: 64 * 1024 });
      try {
        const c = new OpenAI({ baseURL: s.url, apiKey: KEY, maxRetries: 0 });
        const r = await c.completions.create({ model: family, prompt, max_tokens: ref.greedy.length, temperature: 0 });
        expect(r.choices[0]!.text).toBe(await tok.decode(ref.greedy));
        expect(r.usage).toMatchObject({ prompt_tokens: ref.input_ids.length, completion_tokens: ref.greedy.length });
      } finally {
        await s.close();
        await served.dispose();
      }
    }, 60_000);
  }
});
