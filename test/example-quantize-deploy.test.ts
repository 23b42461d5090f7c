/**
 * The quantize-deploy example, shortened, as a user runs it with `weft run`: a trained model is
 * quantized to Q8_0, its perplexity checked against the float32 model's by a gate, exported as a GGUF
 * that llama.cpp loads, and served at an endpoint that the official openai client talks to after
 * the run has ended. With a tolerance no quantization can meet, the gate closes and nothing is
 * exported or served.
 */
import OpenAI from 'openai';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { gguf } from '@huggingface/gguf';
import { stopAllEndpoints } from '../nodes/lib/endpoint/lifecycle.ts';
import { endpointFiles, readRecord } from '../nodes/lib/endpoint/registry.ts';
import { tempDir } from './helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/quantize-deploy.weft.json');
const SHORT = [
  'corpus.maxRecords=20', 'tokenizer.vocabSize=300', 'model.width=48', 'model.layers=1', 'model.context=32',
  'train.steps=40', 'train.batchSize=8', 'train.evalEvery=20', 'train.checkpointEvery=0',
  'eval-f32.maxTokens=3000', 'eval-q8.maxTokens=3000', 'quantize.maxTokens=3000',
].flatMap((s) => ['--set', s]);
const workspaces: string[] = [];

function weft(workspace: string, ...args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/weft.js'), ...args, '--workspace', workspace], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 500_000 });
}

afterAll(async () => {
  for (const ws of workspaces) await stopAllEndpoints(ws);
});

describe('example: quantize-deploy', () => {
  it('quantizes, passes the 2% perplexity gate, exports a GGUF with a Modelfile, and serves it to the openai client after the run', async () => {
    const ws = tempDir('weft-qd-');
    workspaces.push(ws);
    const r = weft(ws, 'run', EXAMPLE, ...SHORT);
    const out = r.stdout + r.stderr;
    expect(r.status, out).toBe(0);
    expect(out).toMatch(/run \S+ succeeded/);
    expect(out).not.toMatch(/closed/);
    const runId = /run (\d{8}-\d{6}-[0-9a-f]{6})/.exec(out)![1]!;
    const record = JSON.parse(readFileSync(join(ws, 'runs', runId, 'run.json'), 'utf8'));
    const f32 = record.nodes['eval-f32'].metrics.perplexity as number;
    const q8 = record.nodes['eval-q8'].metrics.perplexity as number;
    expect(Math.abs(q8 - f32) / f32).toBeLessThan(0.02);
    expect(record.nodes['ppl-gate'].metrics.passed).toBe(1);

    // The export: one Q8_0 GGUF that parses, and an Ollama Modelfile naming it.
    const dir = record.nodes.export.artifactDir as string;
    const files = readdirSync(dir, { recursive: true }).map(String);
    const file = files.find((f) => f.endsWith('moby-llama.gguf'));
    expect(file, files.join(', ')).toBeDefined();
    const parsed = await gguf(join(dir, file!), { allowLocalFile: true });
    expect(parsed.metadata['general.architecture']).toBe('llama');
    expect(parsed.tensorInfos.some((t) => t.dtype === 8 /* Q8_0 */)).toBe(true);
    const modelfile = files.find((f) => f.endsWith('Modelfile'));
    expect(readFileSync(join(dir, modelfile!), 'utf8')).toMatch(/^FROM \.\/moby-llama\.gguf/m);

    // The endpoint outlived the run: the official client lists the model and gets a completion.
    const rec = readRecord(endpointFiles(ws, 'moby-llama').record)!;
    const key = readFileSync(endpointFiles(ws, 'moby-llama').key, 'utf8').trim();
    const client = new OpenAI({ baseURL: rec.url!, apiKey: key, maxRetries: 0 });
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['moby-llama']);
    const done = await client.completions.create({ model: 'moby-llama', prompt: 'Call me Ishmael.', max_tokens: 8, temperature: 0 });
    expect(done.usage!.completion_tokens).toBe(8);
    expect(done.choices[0]!.text.length).toBeGreaterThan(0);
    expect(weft(ws, 'endpoints', 'stop', 'all').status).toBe(0);
  }, 600_000);

  it('a tolerance no quantization meets closes the gate: nothing is exported or served, and the run says why', () => {
    const ws = tempDir('weft-qd-');
    workspaces.push(ws);
    const r = weft(ws, 'run', EXAMPLE, ...SHORT, '--set', 'ppl-gate.tolerance=0');
    const out = r.stdout + r.stderr;
    expect(r.status, out).toBe(0);
    expect(out).toMatch(/gate ppl-gate closed: perplexity/);
    expect(out).toMatch(/deploy skipped/);
    expect(existsSync(endpointFiles(ws, 'moby-llama').record)).toBe(false);
  }, 600_000);
});
