/** How close Weft's logits are to transformers' for each family's fixture (test/fixtures/hf, made by make_fixtures.py). */
import { fileURLToPath } from 'node:url';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tf, useBestBackend } from '../nodes/lib/backend.ts';
import { loadModelFolder } from '../nodes/lib/gpt/io.ts';
import { hiddenStates, lmLogits } from '../nodes/lib/gpt/model.ts';
await useBestBackend();
const F = fileURLToPath(new URL('../test/fixtures/hf', import.meta.url));
for (const fam of readdirSync(F, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
  const ref = JSON.parse(readFileSync(join(F, fam, 'reference.json'), 'utf8'));
  const { config, params } = loadModelFolder(join(F, fam));
  const t = lmLogits(params, config, hiddenStates(params, config, tf.tensor2d(ref.input_ids, [1, ref.input_ids.length], 'int32'), { training: false }));
  const d = await t.data();
  let m = 0, mag = 0;
  for (let i = 0; i < d.length; i++) { m = Math.max(m, Math.abs(d[i]! - ref.logits[i])); mag = Math.max(mag, Math.abs(ref.logits[i])); }
  console.log(fam.padEnd(26), 'max |diff|', m.toExponential(2), ' max |logit|', mag.toFixed(2));
}
