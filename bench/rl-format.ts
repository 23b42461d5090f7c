/**
 * train.rl figures on the tiny copy-task model of the tests (fine-tuned 40 steps): held-out reward
 * before and after GRPO and PPO, KL, and seconds per step. Figures only; nothing is asserted.
 *   npx tsx bench/rl-format.ts [steps]
 */
import { join } from 'node:path';
import { fakeContext, paramsFor, runNode } from '../test/fixtures/node-harness.ts';
import { tempDir } from '../test/helpers.ts';
import trainRl from '../nodes/train.rl/index.ts';
import { fineTunedModel, wordDataset } from '../nodes/train.rl/rl-fixture.ts';

const steps = Number(process.argv[2] ?? 20);
const dir = tempDir();
const dataset = await wordDataset(join(dir, 'data'), 'copy');
const model = await fineTunedModel(join(dir, 'sft'), dataset, 40);
const scheduler = { kind: 'scheduler', settings: { kind: 'constant', lr: 2e-3, warmupSteps: 0, minLrRatio: 0.1, stepSize: 1000, gamma: 0.5 } };
for (const [algorithm, reward] of [['grpo', 'regex'], ['ppo', 'regex'], ['grpo', 'exact-match']] as const) {
  const started = performance.now();
  const params = paramsFor(trainRl, { algorithm, reward, pattern: '^[a-f]{3}$', steps, promptsPerStep: 8, groupSize: 8, maxNewTokens: 5, evalPrompts: 40, evalTemperature: 1, evalSamples: 4, checkpointEvery: 0 });
  const r = await runNode(trainRl, { model, dataset, scheduler }, params, fakeContext());
  const m = r.metrics!;
  console.log(`${algorithm} ${reward}: held-out reward ${m.rewardBefore!.toFixed(3)} -> ${m.rewardAfter!.toFixed(3)}, last-step KL ${m.kl!.toFixed(3)}, ${((performance.now() - started) / 1000 / steps).toFixed(2)} s/step (8 prompts x 8 responses, evaluation included)`);
}
