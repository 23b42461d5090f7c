/**
 * examples/finetune-smollm.weft.json as a user with a network runs it, against a fixture Hub on
 * 127.0.0.1 that serves a tiny random model of SmolLM2's architecture (Llama, tied embeddings,
 * ChatML) under the real id: the model downloads into the workspace cache with its commit recorded,
 * the user's chat file is read as conversations, LoRA fine-tuning lowers the loss, exact match is
 * measured before and after, and the tuned model chats in the playground in its template.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeRegistry } from '../nodes/index.ts';
import { catalogueOf, type ModelHandle } from '../nodes/sdk/index.ts';
import { applyOverrides } from '../src-main/cli/overrides.ts';
import { openDefaultHost } from '../src-main/host/default-host.ts';
import type { WeftHost } from '../src-main/host/weft-host.ts';
import { readGraphFile } from '../src-main/store/graph-files.ts';
import { commitOf, filesOf, startFixtureHub, type FixtureHub } from './fixtures/hub-server.ts';
import { generateToEnd, tempDir } from './helpers.ts';

const EXAMPLE = fileURLToPath(new URL('../examples/finetune-smollm.weft.json', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/hf/', import.meta.url));
let hub: FixtureHub;
let host: WeftHost;
const savedUrl = process.env.WEFT_HUB_URL;

beforeAll(async () => {
  hub = await startFixtureHub();
  const files = filesOf(join(FIXTURES, 'smollm-tied'));
  hub.repos.set('HuggingFaceTB/SmolLM2-135M-Instruct', { refs: { main: commitOf(files) }, commits: { [commitOf(files)]: files } });
  process.env.WEFT_HUB_URL = hub.url;
  host = await openDefaultHost(tempDir());
});

afterAll(async () => {
  await host?.close();
  await hub?.close();
  if (savedUrl === undefined) delete process.env.WEFT_HUB_URL;
  else process.env.WEFT_HUB_URL = savedUrl;
});

describe('example: finetune-smollm (fixture Hub, tiny model of the same architecture)', () => {
  it('downloads, fine-tunes with LoRA on the chat file, evaluates before and after, and chats', async () => {
    const graph = applyOverrides(await readGraphFile(EXAMPLE), ['tune.steps=30', 'tune.evalEvery=15', 'tune.checkpointEvery=15', 'before.maxExamples=6', 'after.maxExamples=6'], catalogueOf(nodeRegistry));
    const { runId } = await host.startRun({ graph, graphDir: dirname(EXAMPLE) });
    const run = await host.waitForRun(runId);
    expect(run.state, JSON.stringify(run.nodes, null, 1).slice(0, 3000)).toBe('succeeded');
    const model = run.nodes.model!.outputs!.model as ModelHandle;
    expect(model.source).toMatchObject({ hub: 'HuggingFaceTB/SmolLM2-135M-Instruct', revision: 'main' });
    expect(model.config.family).toBe('llama');
    expect(run.nodes.data!.metrics!.records).toBe(240);
    const tune = run.nodes.tune!.metrics!;
    expect(tune.finalLoss).toBeLessThan(tune.initialLoss!);
    expect(run.nodes.before!.metrics).toHaveProperty('exactMatch');
    expect(run.nodes.after!.metrics).toHaveProperty('exactMatch');
    expect(JSON.parse(readFileSync(join(run.nodes.tune!.artifactDir!, 'config.json'), 'utf8')).architectures).toEqual(['LlamaForCausalLM']);

    const answer = await generateToEnd(host, { runId, nodeId: 'tune', mode: 'chat', messages: [{ role: 'user', content: 'Convert 3 km to m.' }], settings: { maxTokens: 8, temperature: 0, topK: 0, topP: 1, seed: 1 } });
    expect(answer.end.error).toBeUndefined();
    expect(answer.end.stats.promptText).toBe('<|im_start|>user\nConvert 3 km to m.<|im_end|>\n<|im_start|>assistant\n');
  });
});
