/**
 * What Weft writes, loaded by transformers and PEFT (the real other side): for each family's
 * fixture, a LoRA-adapted model saved merged, its PEFT adapter, and a classifier head; for each
 * masked-LM encoder fixture (BERT, RoBERTa) the same as BertForMaskedLM / BertForSequenceClassification
 * on a right-padded batch, and a new Weft BERT whose tokenizer files AutoTokenizer reads. Prints, per
 * folder (and a one-label reward model scored on a right-padded row), the class transformers loaded, any missing/unexpected/mismatched keys, and the largest
 * logit difference from Weft. Needs the Python venv of ENVIRONMENT.md (WEFT_REF_PYTHON, default
 * /tmp/ref/bin/python, with transformers and peft).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../test/helpers.ts';
import { tf, useBestBackend } from '../nodes/lib/backend.ts';
import type { GptConfig } from '../nodes/lib/gpt/config.ts';
import { loadModelFolder, saveModelFolder } from '../nodes/lib/gpt/io.ts';
import { addLora, mergeLora } from '../nodes/lib/gpt/lora.ts';
import { addClassifierHead, classifierLogits, disposeParams, hiddenStates, initParams, lmLogits, type Params } from '../nodes/lib/gpt/model.ts';
import { byteLevelBpeJson, TextTokenizer, writeTokenizer } from '../nodes/lib/tokenizer.ts';
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

// Masked-LM encoders (BERT, RoBERTa): a LoRA-adapted masked LM saved merged with its PEFT adapter, a
// classifier made from it (pooler + classifier) with its SEQ_CLS adapter, on two rows, one right-padded.
const ENCODERS = fileURLToPath(new URL('../test/fixtures/hf-encoders/', import.meta.url));

async function encoderLogits(p: Params, c: GptConfig, rows: number[][], mask: number[][]): Promise<number[]> {
  const lengths = Int32Array.from(mask, (m) => m.reduce((a, b) => a + b, 0));
  const t = tf.tidy(() => {
    const h = hiddenStates(p, c, tf.tensor2d(rows, undefined, 'int32'), { training: false, lengths });
    return c.numClasses ? classifierLogits(p, c, h, lengths.map((n) => n - 1)) : lmLogits(p, c, h);
  });
  const d = Array.from(await t.data());
  t.dispose();
  return d;
}

for (const name of readdirSync(ENCODERS, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
  const src = join(ENCODERS, name);
  const ref = JSON.parse(readFileSync(join(src, 'reference.json'), 'utf8')) as { input_ids: number[][]; attention_mask: number[][] };
  const rows = { ids: ref.input_ids, attention_mask: ref.attention_mask };
  const { config, params } = loadModelFolder(src);
  if (config.numClasses) {
    // A classifier folder from transformers, saved back by Weft.
    const out = tempDir('weft-encoder-');
    await saveModelFolder(out, params, config, join(src, 'tokenizer.json'));
    writeFileSync(join(out, 'weft-logits.json'), JSON.stringify(await encoderLogits(params, config, ref.input_ids, ref.attention_mask)));
    jobs.push({ model: out, ...rows, weft: join(out, 'weft-logits.json') });
    disposeParams(params);
    continue;
  }
  const targets = ['attn.q', 'attn.v', 'mlp.c_fc'];
  const randomiseB = (names: string[]) => {
    for (const n of names.filter((x) => x.endsWith('lora_B'))) params.get(n)!.assign(tf.randomNormal(params.get(n)!.shape, 0, 0.2, 'float32', 2));
  };
  const names = addLora(params, config, { rank: 4, alpha: 8, targets }, 3);
  randomiseB(names);
  const mlm = tempDir('weft-encoder-');
  await writePeftAdapter(join(mlm, 'adapter'), params, config, { rank: 4, alpha: 8, targets }, src);
  mergeLora(params);
  await saveModelFolder(mlm, params, config, join(src, 'tokenizer.json'));
  writeFileSync(join(mlm, 'weft-logits.json'), JSON.stringify(await encoderLogits(params, config, ref.input_ids, ref.attention_mask)));
  jobs.push({ model: mlm, ...rows, weft: join(mlm, 'weft-logits.json') }, { peft: mlm, adapter: join(mlm, 'adapter'), base: src, ...rows });

  // Classification fine-tuning's result: a new head (pooler + classifier) and LoRA adapters, PEFT's SEQ_CLS layout.
  const classifier: GptConfig = { ...config, numClasses: 3, labels: ['a', 'b', 'c'], padTokenId: config.padTokenId ?? 0 };
  addClassifierHead(params, classifier, 3, 5);
  const clsNames = addLora(params, classifier, { rank: 4, alpha: 8, targets }, 4);
  randomiseB(clsNames);
  const cls = tempDir('weft-encoder-');
  await writePeftAdapter(join(cls, 'adapter'), params, classifier, { rank: 4, alpha: 8, targets }, mlm);
  mergeLora(params);
  await saveModelFolder(cls, params, classifier, join(src, 'tokenizer.json'));
  writeFileSync(join(cls, 'weft-logits.json'), JSON.stringify(await encoderLogits(params, classifier, ref.input_ids, ref.attention_mask)));
  jobs.push({ model: cls, ...rows, weft: join(cls, 'weft-logits.json') }, { peft: cls, adapter: join(cls, 'adapter'), base: mlm, num_labels: 3, ...rows });
  disposeParams(params);
}

// A BERT the Model node would make, on a Weft byte-level tokenizer: transformers loads the model, and
// AutoTokenizer reads its tokenizer files (mask token included) and tokenizes as Weft does.
{
  const specials = ['<|endoftext|>', '<mask>', '<pad>'];
  const dir = tempDir('weft-encoder-');
  const tokPath = join(dir, 'source-tokenizer.json');
  writeTokenizer(tokPath, byteLevelBpeJson([], specials));
  const config: GptConfig = {
    family: 'bert', vocabSize: 259, contextLength: 32, width: 32, layers: 2, heads: 2, dropout: 0.1, causal: false, tiedEmbeddings: true, layerNormEps: 1e-12,
    numClasses: 0, maskTokenId: 257, padTokenId: 258, eosTokenId: 256, bosTokenId: 256, intermediateSize: 128, activation: 'gelu', typeVocabSize: 2,
  };
  const params = initParams(config, 11);
  await saveModelFolder(dir, params, config, tokPath);
  const ids = [104, 101, 108, 257, 111, 32, 119, 111];
  writeFileSync(join(dir, 'weft-logits.json'), JSON.stringify(await encoderLogits(params, config, [ids], [ids.map(() => 1)])));
  jobs.push({ model: dir, ids, weft: join(dir, 'weft-logits.json') });
  const text = 'Call me Ishmael, some years ago.';
  const tok = TextTokenizer.fromFile(join(dir, 'tokenizer.json'));
  jobs.push({ tokenizer: dir, text, weft_ids: await tok.encode(text), mask_token: '<mask>' });
  disposeParams(params);
}

const jobsFile = join(tempDir(), 'jobs.json');
writeFileSync(jobsFile, JSON.stringify(jobs));
const r = spawnSync(PYTHON, [CHECK, jobsFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
process.stdout.write(r.stdout);
if (r.status !== 0) console.log(`FAILED python: ${r.stderr.split('\n').slice(-6).join(' ')}`);
