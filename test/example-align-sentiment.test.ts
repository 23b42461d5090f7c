/**
 * The align-sentiment example, shortened: pretrain -> fine-tune on reviews -> reward model on
 * AFINN-scored review pairs -> GRPO against that reward model, end to end through the engine. The
 * reward model must learn the preference (held-out pairwise accuracy well above chance); GRPO must
 * raise the held-out reward-model score well above the fine-tuned model's, and the AFINN lexicon score
 * of the same held-out responses (a check the policy never trains on) must rise with it; the KL to the
 * fine-tuned model is reported.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogueOf } from '../nodes/sdk/index.ts';
import { nodeRegistry } from '../nodes/index.ts';
import { lexiconScore } from '../nodes/lib/rl/rewards.ts';
import { applyOverrides } from '../src-main/cli/overrides.ts';
import { openDefaultHost } from '../src-main/host/default-host.ts';
import type { WeftHost } from '../src-main/host/weft-host.ts';
import { readGraphFile } from '../src-main/store/graph-files.ts';
import { tempDir } from './helpers.ts';

const EXAMPLE = fileURLToPath(new URL('../examples/align-sentiment.weft.json', import.meta.url));
let host: WeftHost | undefined;
afterAll(async () => host?.close());

/** Fewer steps (pretraining kept whole: a weaker base model lets GRPO drift into text the reward model never saw). */
const SHORT = [
  'sft.steps=100',
  'rm.evalEvery=75',
  'rm.maxEvalPairs=150',
  'rl.steps=30',
  'rl.evalPrompts=48',
  'rl.checkpointEvery=10',
];

describe('example align-sentiment (shortened)', () => {
  it('GRPO against a learned reward model raises the held-out reward and the AFINN score of the same responses; KL reported', async () => {
    const graph = applyOverrides(await readGraphFile(EXAMPLE), SHORT, catalogueOf(nodeRegistry));
    host = await openDefaultHost(tempDir());
    const { runId } = await host.startRun({ graph, graphDir: dirname(EXAMPLE) });
    const run = await host.waitForRun(runId);
    expect(run.state, JSON.stringify(run.nodes, null, 1).slice(0, 2000)).toBe('succeeded');

    // The reward model learned which review of a pair AFINN prefers, on pairs it never saw.
    const rm = run.nodes.rm!.metrics!;
    expect(rm.valAccuracy).toBeGreaterThan(0.8);

    const rl = run.nodes.rl!.metrics!;
    // rewardBefore is the fine-tuned model's own held-out score: GRPO lifts it clearly.
    expect(rl.rewardAfter).toBeGreaterThan(rl.rewardBefore! + 1);
    // The lexicon itself agrees (mean AFINN score per word, -5..5): the gain is not a reward-model artefact.
    expect(rl.checkAfter).toBeGreaterThan(rl.checkBefore! + 0.5);
    expect(rl.kl).toBeGreaterThan(0);
    expect(Number.isFinite(rl.kl)).toBe(true);

    // The table a person reads: each held-out response beside both scores, the check recomputable from the text.
    const samples = JSON.parse(readFileSync(join(run.nodes.rl!.artifactDir!, 'samples.json'), 'utf8')) as Array<{ prompt: string; before: string; after: string; checkBefore: number; checkAfter: number }>;
    expect(samples).toHaveLength(48);
    for (const s of samples) {
      expect(s.prompt).toMatch(/^Review of the \w+:$/);
      expect(s.checkBefore).toBeCloseTo(lexiconScore(s.before), 10);
      expect(s.checkAfter).toBeCloseTo(lexiconScore(s.after), 10);
    }
  }, 1_200_000);
});
