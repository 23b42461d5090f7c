/**
 * A loaded model's real shape, before and after it runs: the host reads a folder's (or a cached Hub
 * model's) config.json for the inspector, and the run record keeps the model the node produced, so
 * History's Compare can show the same true figures.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadedModelShape } from '../nodes/sdk/index.ts';
import type { WeftHost } from '../src-main/host/weft-host.ts';
import { fakeContext, paramsFor, runNode } from './fixtures/node-harness.ts';
import { stubEngine, tempDir } from './helpers.ts';
import { nodeRegistry } from '../nodes/index.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const LLAMA = join(FIXTURES, 'hf', 'llama3-gqa-bf16-sharded');
const modelNode = nodeRegistry.find((d) => d.type === 'model')!;
const hosts: WeftHost[] = [];
afterAll(async () => Promise.all(hosts.map((h) => h.close())));

async function host() {
  const { engine, workspace } = await stubEngine();
  hosts.push(engine);
  return { engine, workspace };
}

describe("a loaded model's real shape", () => {
  it("is read from a folder's config.json before any run, and equals what the run then records", async () => {
    const { engine } = await host();
    const before = await engine.describeModel({ params: { source: 'folder', folder: 'hf/llama3-gqa-bf16-sharded' }, graphDir: FIXTURES });
    // config.json's own figures, and transformers' parameter count written beside the weights.
    const index = JSON.parse(readFileSync(join(LLAMA, 'model.safetensors.index.json'), 'utf8')) as { metadata: { total_parameters: number } };
    expect(before).toEqual({
      architecture: 'llama',
      layers: 2,
      width: 64,
      heads: 4,
      kvHeads: 2,
      mlpWidth: 96,
      context: 64,
      vocabulary: 320,
      parameters: index.metadata.total_parameters,
      tiedEmbeddings: false,
      ropeTheta: expect.any(Number),
    });
    // Not the new-model defaults the hidden shape settings hold (4 layers, width 128).
    expect(modelNode.params.layers!.default).not.toBe(before!.layers);

    const ctx = fakeContext();
    try {
      const result = await runNode(modelNode, {}, paramsFor(modelNode, { source: 'folder', folder: LLAMA }), ctx);
      // The run record keeps this output; Compare and the inspector read the shape from it.
      expect(loadedModelShape(result.outputs.model)).toEqual(before);
    } finally {
      ctx.cleanup();
    }
  }, 120_000);

  it('is read for a Hub model once it is in the workspace cache, by the commit its branch points to', async () => {
    const { engine, workspace } = await host();
    const ask = () => engine.describeModel({ params: { source: 'hub', hubModel: 'someone/tiny-qwen3', revision: 'main' } });
    expect(await ask()).toBeNull();
    const repo = join(workspace, 'models', 'hub', 'models--someone--tiny-qwen3');
    const commit = 'a'.repeat(40);
    mkdirSync(join(repo, 'refs'), { recursive: true });
    writeFileSync(join(repo, 'refs', 'main'), commit);
    cpSync(join(FIXTURES, 'hf', 'qwen3'), join(repo, 'snapshots', commit), { recursive: true });
    const shape = await ask();
    expect(shape?.architecture).toBe('qwen3');
    const config = JSON.parse(readFileSync(join(FIXTURES, 'hf', 'qwen3', 'config.json'), 'utf8')) as Record<string, number>;
    expect(shape).toMatchObject({ layers: config.num_hidden_layers, width: config.hidden_size, heads: config.num_attention_heads, vocabulary: config.vocab_size });
  });

  it('reads only folders a graph there may read', async () => {
    const { engine } = await host();
    const elsewhere = tempDir('weft-elsewhere-');
    cpSync(LLAMA, join(elsewhere, 'm'), { recursive: true });
    await expect(engine.describeModel({ params: { source: 'folder', folder: join(elsewhere, 'm') } })).rejects.toThrow(/outside the folders this graph may read/);
    // Nothing chosen yet, or a new model: nothing to read.
    expect(await engine.describeModel({ params: { source: 'folder', folder: '' } })).toBeNull();
    expect(await engine.describeModel({ params: { source: 'new' } })).toBeNull();
  });
});
