/**
 * examples/preference-dpo.weft.json, shortened, through the engine with the real node types: a small
 * GPT fine-tuned on sums, then DPO on right-versus-wrong sum pairs. Held-out preference accuracy
 * starts at chance (the untrained policy is its own reference) and rises clearly above it.
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

const EXAMPLE = fileURLToPath(new URL('../examples/preference-dpo.weft.json', import.meta.url));
let host: WeftHost | undefined;
afterAll(async () => host?.close());

describe('example preference-dpo (shortened)', () => {
  it('DPO raises held-out preference accuracy from 0.5 to clearly above it', async () => {
    const graph = applyOverrides(await readGraphFile(EXAMPLE), SHORT, catalogueOf(nodeRegistry));
    host = await openDefaultHost(tempDir());
    const { runId } = await host.startRun({ graph, graphDir: dirname(EXAMPLE) });
    const run = await host.waitForRun(runId);
    expect(run.state, JSON.stringify(run.nodes, null, 1).slice(0, 2000)).toBe('succeeded');
    const m = run.nodes.dpo!.metrics!;
    expect(m.initialValPreferenceAccuracy).toBe(0.5);
    expect(m.valPreferenceAccuracy).toBeGreaterThan(0.7);
    expect(m.valRewardMargin).toBeGreaterThan(0);
    expect(m.valChosenReward).toBeGreaterThan(m.valRejectedReward!);
    // The policy after DPO is an ordinary language-model folder.
    const modelDir = (run.nodes.dpo!.outputs!.model as { dir: string }).dir;
    expect(JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')).architectures).toEqual(['GPT2LMHeadModel']);
  }, 600_000);
});

const SHORT = ['reviews.count=1000', 'sft.steps=60', 'pairs.count=800', 'dpo.steps=40', 'dpo.evalEvery=20', 'dpo.maxEvalPairs=80', 'dpo.checkpointEvery=20'];
