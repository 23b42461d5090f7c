/**
 * What Weft writes, loaded by transformers and PEFT (the real other side): for each family's
 * fixture, a LoRA-adapted model saved merged, its PEFT adapter, and a classifier head. Prints, per
 * folder (and a one-label reward model scored on a right-padded row), the class transformers loaded, any missing/unexpected/mismatched keys, and the largest
 * logit difference from Weft. Needs the Python venv of ENVIRONMENT.md (WEFT_REF_PYTHON, default
 * /tmp/ref/bin/python, with transformers and peft).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../test/helpers.ts';
import { tf, useBestBackend } from '../nodes/lib/backend.ts';
import type { GptConfig } from '../nodes/lib/gpt/config.ts';
import { loadModelFolder, saveModelFolder } from '../nodes/lib/gpt/io.ts';
import { addLora, mergeLora } from '../nodes/lib/gpt/lora.ts';
import { addClassifierHead, classifierLogits, disposeParams, hiddenStates, lmLogits, type Params } from '../nodes/lib/gpt/model.ts';
import { writePeftAdapter } from '../nodes/lib/gpt/peft.ts';
import { pruneHeads, pruneMlpNeurons } from '../nodes/lib/prune/structured.ts';
import { rewardScores } from '../nodes/lib/align/reward.ts';

const FIXTURES = fileURLToPath(new URL('../test/fixtures/hf/', import.meta.url));
const CHECK = join(FIXTURES, 'check_interop.py');
const PYTHON = process.env.WEFT_REF_PYTHON ?? '/tmp/ref/bin/python';
const IDS = [3, 17, 42, 5, 99, 7, 12, 250];

/** Checked by one Python process at the end (importing torch takes seconds). */
const jobs: Array<Record<string, unknown>> = [];

async function logits(p: Params, c: GptConfig, classify: boolean): Promise<number[]> {
  const t = tf.tidy(() => {
    const h = hiddenStates(p, c, tf.tensor2d([IDS], [1, IDS.length], 'int32'), { training: false });
    return classify ? classifierLogits(p, c, h, Int32Array.of(IDS.length - 1)) : lmLogits(p, c, h);
  });
  const d = Array.from(await t.data());
  t.dispose();
  return d;
}

await useBestBackend();
for (const family of readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
  const src = join(FIXTURES, family);
  const { config, params } = loadModelFolder(src);
  const targets = config.family === 'gpt2' || !config.family ? ['attn.q', 'attn.v', 'mlp.c_fc'] : ['attn.q', 'attn.v', 'mlp.gate', 'mlp.down'];
  const names = addLora(params, config, { rank: 4, alpha: 8, targets }, 3);
  for (const n of names.filter((x) => x.endsWith('lora_B'))) params.get(n)!.assign(tf.randomNormal(params.get(n)!.shape, 0, 0.2, 'float32', 2));
  const out = tempDir();
  await writePeftAdapter(join(out, 'adapter'), params, config, { rank: 4, alpha: 8, targets }, src);
  mergeLora(params);
  await saveModelFolder(out, params, config, join(src, 'tokenizer.json'));
  writeFileSync(join(out, 'weft-logits.json'), JSON.stringify(await logits(params, config, false)));
  jobs.push({ model: out, ids: IDS, weft: join(out, 'weft-logits.json') }, { peft: out, adapter: join(out, 'adapter'), base: src, ids: IDS });

  // Structurally pruned (the prune node's MLP neurons, and heads in the Llama family): still a folder transformers loads.
  {
    const { config: c0, params: pp } = loadModelFolder(src);
    let pc = (await pruneMlpNeurons(pp, c0, 0.25)).config;
    if (pc.family && pc.family !== 'gpt2') pc = (await pruneHeads(pp, pc, 0.5)).config;
    const pruned = tempDir('weft-pruned-');
    await saveModelFolder(pruned, pp, pc, join(src, 'tokenizer.json'));
    writeFileSync(join(pruned, 'weft-logits.json'), JSON.stringify(await logits(pp, pc, false)));
    jobs.push({ model: pruned, ids: IDS, weft: join(pruned, 'weft-logits.json') });
    disposeParams(pp);
  }

  const classifier: GptConfig = { ...config, numClasses: 3, labels: ['a', 'b', 'c'], padTokenId: 0 };
  addClassifierHead(params, classifier, 3, 5);
  const cls = tempDir();
  await saveModelFolder(cls, params, classifier, join(src, 'tokenizer.json'));
  writeFileSync(join(cls, 'weft-logits.json'), JSON.stringify(await logits(params, classifier, true)));
  jobs.push({ model: cls, ids: IDS, weft: join(cls, 'weft-logits.json') });

  // A reward model (one label): its score is the logit at the last token that is not padding, and
  // transformers must find the same token on a right-padded row.
  const pad = 0;
  const reward: GptConfig = { ...config, numClasses: 1, labels: ['reward'], padTokenId: pad };
  addClassifierHead(params, reward, 1, 9);
  const rm = tempDir();
  await saveModelFolder(rm, params, reward, join(src, 'tokenizer.json'));
  const padded = [...IDS, pad, pad, pad];
  const score = tf.tidy(() => rewardScores(params, reward, [padded], pad));
  writeFileSync(join(rm, 'weft-logits.json'), JSON.stringify(Array.from(await score.data())));
  score.dispose();
  jobs.push({ model: rm, ids: padded, weft: join(rm, 'weft-logits.json') });
  disposeParams(params);
}

const jobsFile = join(tempDir(), 'jobs.json');
writeFileSync(jobsFile, JSON.stringify(jobs));
const r = spawnSync(PYTHON, [CHECK, jobsFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
process.stdout.write(r.stdout);
if (r.status !== 0) console.log(`FAILED python: ${r.stderr.split('\n').slice(-6).join(' ')}`);
