/**
 * Open models end to end: a Hugging Face folder of the Llama family is checked at validation,
 * fine-tuned with LoRA on a chat task, saved in its family's layout, and answers in the playground;
 * a folder Weft cannot read is refused before the run, naming the file, the field and what works.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { maxDiff } from './support/compare.ts';
import { openDefaultHost } from '../src-main/host/default-host.ts';
import type { WeftHost } from '../src-main/host/weft-host.ts';
import { generateToEnd, graphOf, tempDir } from './helpers.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/hf/', import.meta.url));
const hosts: WeftHost[] = [];
afterAll(async () => Promise.all(hosts.map((h) => h.close())));

async function host(): Promise<WeftHost> {
  const h = await openDefaultHost(tempDir(), { allowedRoots: [FIXTURES] });
  hosts.push(h);
  return h;
}

/** Logits of a model folder for a few fixed ids, computed in this process. */
async function logitsOf(dir: string): Promise<number[]> {
  const { tf, useBestBackend } = await import('../nodes/lib/backend.ts');
  const { loadModelFolder } = await import('../nodes/lib/gpt/io.ts');
  const { disposeParams, hiddenStates, lmLogits } = await import('../nodes/lib/gpt/model.ts');
  await useBestBackend();
  const { config, params } = loadModelFolder(dir);
  const t = tf.tidy(() => lmLogits(params, config, hiddenStates(params, config, tf.tensor2d([[5, 9, 14, 2]], [1, 4], 'int32'), { training: false })));
  const out = Array.from(await t.data());
  t.dispose();
  disposeParams(params);
  return out;
}


const modelOnly = (folder: string) => graphOf([{ id: 'model', type: 'model', version: 2, params: { source: 'folder', folder } }], []);

describe('model folders of the open families', () => {
  it('refuses at validation a folder it cannot read, naming the file, the field and the supported values', async () => {
    const h = await host();
    const dir = join(tempDir(), 'mamba');
    cpSync(join(FIXTURES, 'qwen3'), dir, { recursive: true });
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, model_type: 'mamba' }));
    const bad = await h.validateGraph(modelOnly(dir), dir);
    expect(bad.ok).toBe(false);
    expect(bad.errors[0]).toMatchObject({ nodeId: 'model', param: 'folder', code: 'invalid_file' });
    expect(bad.errors[0]!.message).toMatch(/config\.json: model_type: "mamba" is not supported; Weft reads gpt2, llama, mistral, qwen2, qwen3, bert, roberta/);

    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, rope_parameters: { rope_type: 'yarn', factor: 4, rope_theta: 10000 } }));
    const yarn = await h.validateGraph(modelOnly(dir), dir);
    expect(yarn.errors[0]!.message).toMatch(/rope_parameters\.rope_type: "yarn" is not supported; Weft computes default, linear, llama3/);

    for (const family of ['llama3-gqa-bf16-sharded', 'mistral', 'qwen2-f16', 'qwen3', 'smollm-tied', 'gpt2-relu']) {
      const ok = await h.validateGraph(modelOnly(join(FIXTURES, family)), FIXTURES);
      expect([family, ok.errors]).toEqual([family, []]);
    }
  });

  it('fine-tunes a Llama-family folder with LoRA on chat records, saves it in its layout, and chats in the playground', async () => {
    const h = await host();
    const g = graphOf(
      [
        { id: 'model', type: 'model', version: 2, params: { source: 'folder', folder: join(FIXTURES, 'llama3-gqa-bf16-sharded') } },
        { id: 'task', type: 'dataset.synthetic', params: { task: 'reverse-word', count: 200, maxWordLength: 4 } },
        { id: 'chat', type: 'data.chat', params: { template: "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}", endOfText: '<|im_end|>' } },
        { id: 'split', type: 'data.split', params: { validation: 0.1, test: 0 } },
        {
          id: 'tune',
          type: 'train.sft',
          params: { method: 'lora', loraRank: 4, loraTargets: 'attn.q,attn.v,mlp.gate,mlp.up,mlp.down', steps: 40, batchSize: 4, context: 32, evalEvery: 20, evalBatches: 2, checkpointEvery: 0 },
        },
      ],
      [
        ['task', 'dataset', 'chat', 'dataset'],
        ['chat', 'dataset', 'split', 'dataset'],
        ['model', 'model', 'tune', 'model'],
        ['split', 'dataset', 'tune', 'dataset'],
      ],
    );
    const { runId } = await h.startRun({ graph: g, graphDir: FIXTURES });
    const run = await h.waitForRun(runId);
    expect(run.state, JSON.stringify(run.nodes, null, 1).slice(0, 3000)).toBe('succeeded');
    // The source folder is taken as it is: its bf16 shards, not a float32 copy.
    expect(existsSync(join(run.nodes.model!.artifactDir!, 'model.safetensors.index.json'))).toBe(true);
    const tune = run.nodes.tune!;
    expect(tune.metrics!.finalLoss).toBeLessThan(tune.metrics!.initialLoss ?? Number.POSITIVE_INFINITY);
    const saved = JSON.parse(readFileSync(join(tune.artifactDir!, 'config.json'), 'utf8'));
    expect(saved).toMatchObject({ model_type: 'llama', architectures: ['LlamaForCausalLM'], num_key_value_heads: 2, rope_scaling: { rope_type: 'llama3', factor: 8 } });
    // The LoRA adapter alone, in PEFT's layout, beside (not inside) the merged model folder.
    expect(existsSync(join(tune.artifactDir!, 'adapter', 'adapter_model.safetensors'))).toBe(true);
    expect(JSON.parse(readFileSync(join(tune.artifactDir!, 'adapter', 'adapter_config.json'), 'utf8'))).toMatchObject({ peft_type: 'LORA', target_modules: expect.arrayContaining(['q_proj', 'v_proj', 'gate_proj']) });
    expect(existsSync(join(tune.artifactDir!, 'adapter_config.json'))).toBe(false);

    const models = await h.listModels();
    expect(models.find((m) => m.nodeId === 'tune')?.chat).toBe(true);
    const answer = await generateToEnd(h, {
      runId,
      nodeId: 'tune',
      mode: 'chat',
      messages: [{ role: 'user', content: 'reverse abc' }],
      settings: { maxTokens: 6, temperature: 0, topK: 0, topP: 1, seed: 1 },
    });
    // A chat is answered through the model's template (a tiny model may well answer with its end token at once).
    expect(answer.end.error, JSON.stringify(answer)).toBeUndefined();
    expect(['stop', 'length']).toContain(answer.end.stats.reason);
    expect(answer.end.stats.promptText).toContain('<|im_start|>user\nreverse abc<|im_end|>');
    // The adapter alone, loaded onto the base by the model node, gives the fine-tuned model again.
    const adapterDir = join(tune.artifactDir!, 'adapter');
    const again = await h.startRun({ graph: graphOf([{ id: 'model', type: 'model', version: 2, params: { source: 'folder', folder: join(FIXTURES, 'llama3-gqa-bf16-sharded'), adapter: adapterDir } }], []), graphDir: FIXTURES });
    const merged = await h.waitForRun(again.runId);
    expect(merged.state, JSON.stringify(merged.nodes)).toBe('succeeded');
    const diff = maxDiff(await logitsOf(merged.nodes.model!.artifactDir!), await logitsOf(tune.artifactDir!));
    expect(diff).toBeLessThan(1e-4);

    const sampled = await generateToEnd(h, { runId, nodeId: 'tune', mode: 'complete', prompt: 'Call me', settings: { maxTokens: 8, temperature: 1, topK: 0, topP: 1, seed: 3 } });
    expect(sampled.end.error).toBeUndefined();
    expect(sampled.end.stats.tokens).toBeGreaterThan(0);
    expect(sampled.text.length).toBeGreaterThan(0);
  });
});
