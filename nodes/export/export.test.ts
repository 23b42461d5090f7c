import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { fakeContext, paramsFor, runNode } from '../../test/fixtures/node-harness.ts';
import { tempDir } from '../../test/helpers.ts';
import { loadModelFolder, inspectModelFolder } from '../lib/gpt/io.ts';
import { disposeParams } from '../lib/gpt/model.ts';
import { openModelInput } from '../lib/model-input.ts';
import { openInLlamaCpp } from '../lib/gguf/test-support.ts';
import type { MetricsHandle, ModelHandle } from '../sdk/index.ts';
import exportNode from './index.ts';

const FIXTURE = join(import.meta.dirname, '../../test/fixtures/hf/mistral');
const model: ModelHandle = { kind: 'model', dir: FIXTURE, parameters: 0, config: inspectModelFolder(FIXTURE) };

async function exportAs(overrides: Record<string, string>) {
  const ctx = fakeContext();
  const result = await runNode(exportNode, { model }, paramsFor(exportNode, overrides), ctx);
  return { ctx, out: result.outputs.model as ModelHandle, metrics: (result.outputs.metrics as MetricsHandle).values };
}

async function sameWeights(a: string, b: string): Promise<boolean> {
  const x = loadModelFolder(a);
  const y = loadModelFolder(b);
  try {
    for (const [name, v] of x.params) if (!(await v.data()).every((e, i) => e === (y.params.get(name)!.dataSync() as Float32Array)[i])) return false;
    return true;
  } finally {
    disposeParams(x.params);
    disposeParams(y.params);
  }
}

describe('Export model', () => {
  it('GGUF: file + Ollama Modelfile + commands, copied to the destination, loadable by Weft and llama.cpp', async () => {
    const destination = tempDir('weft-dest-');
    const { ctx, out, metrics } = await exportAs({ format: 'gguf', ggufType: 'Q8_0', name: 'tiny-mistral', destination });
    const gguf = join(ctx.artifactDir, 'tiny-mistral.gguf');
    expect(metrics.bytes).toBe(statSync(gguf).size);
    expect(metrics.quantizedTensors).toBeGreaterThan(10);
    const modelfile = readFileSync(join(ctx.artifactDir, 'Modelfile'), 'utf8');
    expect(modelfile).toContain('FROM ./tiny-mistral.gguf\n');
    expect(modelfile).toContain('TEMPLATE """{{- range $i, $_ := .Messages }}{{ if eq .Role "system" }}<|im_start|>system\n{{ .Content }}<|im_end|>\n');
    expect(modelfile).toContain('PARAMETER stop "<|im_end|>"');
    expect(ctx.logs.some((l) => l.includes(`ollama create tiny-mistral -f ${join(destination, 'tiny-mistral', 'Modelfile')}`))).toBe(true);
    expect(ctx.logs.some((l) => l.includes(`llama-cli -m ${join(destination, 'tiny-mistral', 'tiny-mistral.gguf')}`))).toBe(true);
    expect(readFileSync(join(destination, 'tiny-mistral', 'tiny-mistral.gguf')).equals(readFileSync(gguf))).toBe(true);

    expect(out.quantization).toBe('Q8_0');
    const opened = await openModelInput(out);
    expect(opened.quantization).toBe('Q8_0');
    expect(opened.config.family).toBe('mistral');
    opened.dispose();
    const lc = await openInLlamaCpp(join(destination, 'tiny-mistral', 'tiny-mistral.gguf'));
    expect((await lc.greedy([293, 78, 78], 3)).length).toBe(3);
    await lc.dispose();
  }, 300_000);

  it('Hugging Face folder: the same weights, config and tokenizer files', async () => {
    const { out, metrics } = await exportAs({ format: 'hf-folder' });
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']) expect(existsSync(join(out.dir, f)), f).toBe(true);
    expect(metrics.bytes).toBe(statSync(join(out.dir, 'model.safetensors')).size);
    expect(await sameWeights(FIXTURE, out.dir)).toBe(true);
  }, 300_000);

  it('zip: the folder in one archive, copied to the destination', async () => {
    const destination = tempDir('weft-dest-');
    const { ctx, out } = await exportAs({ format: 'zip', name: 'bundle', destination });
    const entries = unzipSync(new Uint8Array(readFileSync(join(destination, 'bundle.zip'))));
    expect(Object.keys(entries).sort()).toEqual(['bundle/config.json', 'bundle/generation_config.json', 'bundle/model.safetensors', 'bundle/tokenizer.json', 'bundle/tokenizer_config.json']);
    expect(Buffer.from(entries['bundle/model.safetensors']!).equals(readFileSync(join(out.dir, 'model.safetensors')))).toBe(true);
    expect(existsSync(join(ctx.artifactDir, 'bundle.zip'))).toBe(true);
  }, 300_000);

  it('refuses a file name that could leave its folder, at validation', () => {
    expect(exportNode.validate!(paramsFor(exportNode, { name: '../evil' }) as never, ['model'])[0]).toMatchObject({ param: 'name' });
    expect(exportNode.validate!(paramsFor(exportNode, { name: 'my-model_v1.2' }) as never, ['model'])).toEqual([]);
  });

  it('refuses a model llama.cpp cannot run as Weft does, naming why', async () => {
    const relu = join(import.meta.dirname, '../../test/fixtures/hf/gpt2-relu');
    const ctx = fakeContext();
    mkdirSync(ctx.artifactDir, { recursive: true });
    await expect(runNode(exportNode, { model: { kind: 'model', dir: relu, parameters: 0, config: inspectModelFolder(relu) } }, paramsFor(exportNode), ctx)).rejects.toThrow(/"relu"/);
  }, 300_000);
});
