/**
 * The BERT and RoBERTa fixtures' logits on the backend WEFT_BACKEND chooses, against transformers' (largest difference per fixture);
 * webgpu needs Vulkan's environment when the process starts (src-main/engine/worker/vulkan-env.ts).
 *   WEFT_BACKEND=webgpu WEFT_WEBGPU_SWIFTSHADER=1 LD_LIBRARY_PATH=... VK_ICD_FILENAMES=... node --import tsx bench/encoder-backend-parity.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf, useDevice } from '../nodes/lib/backend.ts';
import { loadModelFolder } from '../nodes/lib/gpt/io.ts';
import { classifierLogits, disposeParams, hiddenStates, lmLogits } from '../nodes/lib/gpt/model.ts';

const FIXTURES = fileURLToPath(new URL('../test/fixtures/hf-encoders/', import.meta.url));
const device = await useDevice();
for (const name of ['bert-mlm', 'bert-classifier', 'roberta-mlm']) {
  const ref = JSON.parse(readFileSync(join(FIXTURES, name, 'reference.json'), 'utf8')) as { input_ids: number[][]; attention_mask: number[][]; logits: number[] };
  const { config, params } = loadModelFolder(join(FIXTURES, name));
  const lengths = Int32Array.from(ref.attention_mask, (m) => m.reduce((a, b) => a + b, 0));
  const t = tf.tidy(() => {
    const h = hiddenStates(params, config, tf.tensor2d(ref.input_ids, undefined, 'int32'), { training: false, lengths });
    return config.numClasses ? classifierLogits(params, config, h, lengths.map((n) => n - 1)) : lmLogits(params, config, h);
  });
  const got = await t.data();
  t.dispose();
  disposeParams(params);
  console.log(JSON.stringify({ backend: tf.getBackend(), device: JSON.stringify(device).slice(0, 120), name, maxAbsDiff: Math.max(...Array.from(got, (v, i) => Math.abs(v - ref.logits[i]!))) }));
}
