/**
 * Endpoint speed through the official openai client: time to the first streamed token and tokens/s
 * of a chat completion, and requests/s of short completions, for a Weft model folder (Weft's
 * generation) and the committed tiny GGUF (llama.cpp), each in its own detached endpoint process.
 *   npx tsx bench/endpoint.ts [model-folder-or-gguf ...]
 *   npx tsx bench/endpoint.ts --start    (start time: from the sources through tsx, and from the built bundle)
 * Figures only; nothing is asserted.
 */
import OpenAI from 'openai';
import { fileURLToPath } from 'node:url';
import { deployEndpoint, stopEndpoint } from '../nodes/lib/endpoint/lifecycle.ts';
import { tinyModelFolder } from '../test/fixtures/tiny-model.ts';
import { tempDir } from '../test/helpers.ts';

async function measure(workspace: string, path: string, label: string): Promise<void> {
  const t0 = performance.now();
  const { info, key } = await deployEndpoint({ workspace, modelPath: path, name: 'bench' });
  const startMs = performance.now() - t0;
  const client = new OpenAI({ baseURL: info.url, apiKey: key, maxRetries: 0 });
  try {
    await client.completions.create({ model: 'bench', prompt: 'warm up', max_tokens: 4 });
    const started = performance.now();
    let first = 0;
    let chunks = 0;
    let tokens = 0;
    for await (const c of await client.chat.completions.create({ model: 'bench', messages: [{ role: 'user', content: 'Tell me a story.' }], max_tokens: 100, temperature: 0.8, seed: 1, stream: true, stream_options: { include_usage: true } })) {
      if (c.choices[0]?.delta.content && !first) first = performance.now() - started;
      if (c.choices[0]?.delta.content) chunks++;
      if (c.usage) tokens = c.usage.completion_tokens;
    }
    const total = (performance.now() - started) / 1000;
    const n = 20;
    const r0 = performance.now();
    for (let i = 0; i < n; i++) await client.completions.create({ model: 'bench', prompt: `request ${i}`, max_tokens: 8, temperature: 0 });
    const rps = n / ((performance.now() - r0) / 1000);
    console.log(`${label.padEnd(36)} start ${startMs.toFixed(0).padStart(5)} ms | first token ${first.toFixed(0).padStart(4)} ms | ${(tokens / (total - first / 1000)).toFixed(1).padStart(6)} tokens/s (${tokens} tokens, ${chunks} chunks) | ${rps.toFixed(1)} requests/s of 8 tokens`);
  } finally {
    await stopEndpoint(workspace, info.id);
  }
}

/** Time from deploy to a listening endpoint, started from the TypeScript sources through tsx and from the built bundle. */
async function startTimes(workspace: string, model: string): Promise<void> {
  const { buildCli } = (await import(new URL('../bin/cli-build.js', import.meta.url).href)) as { buildCli(): Promise<string> };
  await buildCli();
  for (const [label, source] of [['sources through tsx', '1'], ['built bundle (out/cli)', '']] as const) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      process.env.WEFT_SOURCE = source;
      const t0 = performance.now();
      const { info } = await deployEndpoint({ workspace, modelPath: model, name: `start-${i}` });
      times.push(performance.now() - t0);
      await stopEndpoint(workspace, info.id);
    }
    console.log(`endpoint start, ${label.padEnd(24)} ${times.map((t) => `${t.toFixed(0)} ms`).join(', ')}`);
  }
  delete process.env.WEFT_SOURCE;
}

const workspace = tempDir('weft-bench-endpoint-');
if (process.argv[2] === '--start') {
  await startTimes(workspace, await tinyModelFolder());
  process.exit(0);
}
const paths = process.argv.slice(2);
if (paths.length) for (const p of paths) await measure(workspace, p, p.split('/').pop()!);
else {
  await measure(workspace, await tinyModelFolder(), 'Weft folder: GPT 1 layer, width 32');
  await measure(workspace, fileURLToPath(new URL('../test/fixtures/gguf/tiny-llama.gguf', import.meta.url)), 'GGUF: Llama 1 layer, width 32');
}
