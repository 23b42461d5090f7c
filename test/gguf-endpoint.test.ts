/**
 * Serving a .gguf through llama.cpp (node-llama-cpp's prebuilt CPU binary), in a detached endpoint
 * process as `weft deploy file.gguf` starts it, checked with the official openai client. The file
 * is a committed random 1-layer Llama (test/fixtures/gguf/make_tiny_gguf.py writes it).
 */
import OpenAI from 'openai';

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployEndpoint, stopEndpoint, type Deployed } from '../nodes/lib/endpoint/lifecycle.ts';
import { tempDir } from './helpers.ts';

const GGUF = fileURLToPath(new URL('./fixtures/gguf/tiny-llama.gguf', import.meta.url));
const ws = tempDir('weft-gguf-endpoint-');
let deployed: Deployed;
let client: OpenAI;

beforeAll(async () => {
  deployed = await deployEndpoint({ workspace: ws, modelPath: GGUF, maxTokens: 64 });
  client = new OpenAI({ baseURL: deployed.info.url, apiKey: deployed.key, maxRetries: 0 });
}, 120_000);

afterAll(async () => {
  await stopEndpoint(ws, deployed.info.id);
});

describe('GGUF endpoint (llama.cpp)', () => {
  it('lists the model under the file name and says llama.cpp serves it', async () => {
    expect(deployed.info).toMatchObject({ backend: 'llama.cpp', name: 'tiny-llama', status: 'running' });
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['tiny-llama']);
  });

  it('completes with usage counts and finish_reason length; the same seed gives the same text', async () => {
    const a = await client.completions.create({ model: 'tiny-llama', prompt: 'Once upon', max_tokens: 12, temperature: 0.8, seed: 5 });
    const b = await client.completions.create({ model: 'tiny-llama', prompt: 'Once upon', max_tokens: 12, temperature: 0.8, seed: 5 });
    expect(a.choices[0]!.text.length).toBeGreaterThan(0);
    expect(b.choices[0]!.text).toBe(a.choices[0]!.text);
    expect(a.choices[0]!.finish_reason).toBe('length');
    expect(a.usage!.completion_tokens).toBe(12);
    // Byte-level vocabulary with one merge: "Once upon" is 9 tokens, no BOS (add_bos_token is false).
    expect(a.usage!.prompt_tokens).toBe(9);
  });

  it('streams a chat completion (the file’s chat template) that reassembles to the non-streamed answer', async () => {
    const request = { model: 'tiny-llama', messages: [{ role: 'user' as const, content: 'Hello' }], max_tokens: 20, temperature: 0.7, seed: 9 };
    const whole = await client.chat.completions.create(request);
    const pieces: string[] = [];
    for await (const chunk of await client.chat.completions.create({ ...request, stream: true })) pieces.push(chunk.choices[0]?.delta.content ?? '');
    expect(pieces.filter(Boolean).length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe(whole.choices[0]!.message.content);
    // The template renders "user: Hello<|endoftext|>\nassistant: ": 23 bytes, one token each, and the
    // end-of-text token read as the one special token it is (as text it would be 13 more).
    expect(whole.usage!.prompt_tokens).toBe(24);
  });

  it('cuts the answer before a stop string', async () => {
    const full = (await client.completions.create({ model: 'tiny-llama', prompt: 'abc', max_tokens: 30, temperature: 0 })).choices[0]!.text;
    const stop = full.slice(6, 8);
    const cut = await client.completions.create({ model: 'tiny-llama', prompt: 'abc', max_tokens: 30, temperature: 0, stop });
    expect(cut.choices[0]!.text).toBe(full.slice(0, full.indexOf(stop)));
    expect(cut.choices[0]!.finish_reason).toBe('stop');
  });
});

