/**
 * The align-sort example, shortened: pretrain -> chat SFT -> GRPO with the exact-match reward, run end
 * to end through the engine. GRPO must lift held-out exact match above the fine-tuned model's, with
 * the KL to it reported and sample answers written.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogueOf } from '../nodes/sdk/index.ts';
import { nodeRegistry } from '../nodes/index.ts';
import { applyOverrides } from '../src-main/cli/overrides.ts';
import { openDefaultHost } from '../src-main/host/default-host.ts';
import type { WeftHost } from '../src-main/host/weft-host.ts';
import { readGraphFile } from '../src-main/store/graph-files.ts';
import { tempDir } from './helpers.ts';

const EXAMPLE = fileURLToPath(new URL('../examples/align-sort.weft.json', import.meta.url));
const engines: WeftHost[] = [];
afterAll(async () => Promise.all(engines.map((e) => e.close())));

describe('align-sort example (shortened)', () => {
  it('GRPO raises held-out exact match above the fine-tuned model, with KL and samples reported', async () => {
    // As the chat-sft example's shortened test: three-letter words and a compact template keep sequences short.
    const compact = "{% for message in messages %}{{ message['content'] }}{% endfor %}{% if add_generation_prompt %} = {% endif %}";
    const sets = [
      'pre_data.count=4000',
      'pre_data.maxWordLength=3',
      'task.count=1500',
      'task.maxWordLength=3',
      `task_chat.template=${compact}`,
      'model.layers=2',
      'model.width=64',
      'model.context=32',
      'pretrain.steps=300',
      'pretrain.batchSize=32',
      'sft.steps=150',
      'sft.batchSize=32',
      'schedule.lr=0.01',
      'rl.maxNewTokens=5',
      'rl.evalPrompts=75',
      'after.maxExamples=75',
      'aligned.maxExamples=75',
    ];
    const graph = applyOverrides(await readGraphFile(EXAMPLE), sets, catalogueOf(nodeRegistry));
    const engine = await openDefaultHost(tempDir());
    engines.push(engine);
    const { runId } = await engine.startRun({ graph, graphDir: dirname(EXAMPLE) });
    const run = await engine.waitForRun(runId);
    expect(run.state, JSON.stringify(run.nodes, null, 1).slice(0, 2000)).toBe('succeeded');
    const rl = run.nodes.rl!.metrics!;
    const sftMatch = run.nodes.after!.metrics!.exactMatch!;
    const alignedMatch = run.nodes.aligned!.metrics!.exactMatch!;
    // The RL node's own held-out score before training is the fine-tuned model's.
    expect(rl.rewardAfter).toBeGreaterThan(rl.rewardBefore! + 0.05);
    expect(alignedMatch).toBeGreaterThan(sftMatch);
    expect(rl.kl).toBeGreaterThan(0);
    const samples = JSON.parse(readFileSync(join(run.nodes.rl!.artifactDir!, 'samples.json'), 'utf8')) as Array<{ prompt: string; before: string; after: string }>;
    expect(samples.length).toBe(75);
    expect(samples.every((s) => s.prompt.endsWith(' = '))).toBe(true);
  }, 1_200_000);
});
