/**
 * Training throughput of the fixed reference GPT (vocab 256, context 128, width 128, 4 layers,
 * 4 heads, batch 16) on the best available tfjs backend, and in the same run the PyTorch reference
 * (../shared/bench/torch_gpt_reference.py) on the same CPU. Prints both and the ratio.
 *   npx tsx bench/train-throughput.ts [--steps 8] [--profile]
 * PyTorch comes from Debian: apt-get install -y python3-torch libopenblas0-pthread.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { tf, useBestBackend } from '../nodes/lib/backend.ts';
import type { GptConfig } from '../nodes/lib/gpt/config.ts';
import { crossEntropy, hiddenStates, initParams, lmLogits } from '../nodes/lib/gpt/model.ts';
import { DEFAULT_OPTIMIZER, Optimizer } from '../nodes/lib/train/optimizer.ts';

const { values: args } = parseArgs({ options: { steps: { type: 'string', default: '8' }, profile: { type: 'boolean', default: false } } });
const STEPS = Number(args.steps);
const config: GptConfig = { vocabSize: 256, contextLength: 128, width: 128, layers: 4, heads: 4, dropout: 0, causal: true, tiedEmbeddings: false, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 };
const B = 16;
const T = 128;

const backend = await useBestBackend();
const params = initParams(config, 0);
const names = [...params.keys()];
const vars = [...params.values()];
const byVar = new Map(vars.map((v, i) => [v.name, names[i]!]));
const optimizer = new Optimizer({ ...DEFAULT_OPTIMIZER, kind: 'adam', weightDecay: 0, clipNorm: 0 }, params);
const text = Buffer.from('the quick brown fox jumps over the lazy dog. to be or not to be, that is the question. '.repeat(400), 'latin1');
let offset = 0;

async function step(): Promise<number> {
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    offset = (offset + 977) % (text.length - T - 1);
    for (let t = 0; t < T; t++) {
      x[b * T + t] = text[offset + t]!;
      y[b * T + t] = text[offset + t + 1]!;
    }
  }
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(
      () => crossEntropy(lmLogits(params, config, hiddenStates(params, config, tf.tensor2d(x, [B, T], 'int32'), { training: true })), tf.tensor1d(y, 'int32'), tf.ones([B * T])),
      vars,
    );
    const named = new Map(Object.entries(grads).map(([k, g]) => [byVar.get(k)!, g]));
    optimizer.apply(named, 1e-3, Optimizer.globalNorm(named));
    return value;
  });
  const v = (await loss.data())[0]!;
  loss.dispose();
  return v;
}

for (let i = 0; i < 2; i++) await step(); // warm-up: kernels compile, memory settles
const times: number[] = [];
for (let i = 0; i < STEPS; i++) {
  const t0 = performance.now();
  await step();
  times.push(performance.now() - t0);
}
const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
const weftTps = (B * T) / (median / 1000);
console.log(`weft (tfjs ${backend}): ${median.toFixed(0)} ms/step, ${weftTps.toFixed(0)} tokens/s (median of ${STEPS} steps)`);

if (args.profile) {
  const info = await tf.profile(async () => void (await step()));
  const agg = new Map<string, number>();
  for (const k of info.kernels) agg.set(k.name, (agg.get(k.name) ?? 0) + ((await k.kernelTimeMs) as number));
  const total = [...agg.values()].reduce((a, b) => a + b, 0);
  for (const [name, ms] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${name.padEnd(16)} ${ms.toFixed(0).padStart(6)} ms  ${((100 * ms) / total).toFixed(0)}%`);
}

const reference = fileURLToPath(new URL('../../shared/bench/torch_gpt_reference.py', import.meta.url));
if (!existsSync('/usr/bin/python3') || !existsSync(reference)) {
  console.log('PyTorch reference: not run (needs /usr/bin/python3 with Debian python3-torch, and shared/bench/torch_gpt_reference.py)');
} else {
  const r = spawnSync('/usr/bin/python3', [reference, '--threads', '2', '--warmup', '3', '--steps', '10'], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
  const line = r.stdout.trim().split('\n').find((l) => l.startsWith('{'));
  if (r.status !== 0 || !line) console.log(`PyTorch reference failed: ${r.stderr.trim().split('\n').at(-1)}`);
  else {
    const torch = JSON.parse(line) as { tokPerSec: number; stepMsMedian: number; torch: string };
    console.log(`pytorch ${torch.torch} (2 threads): ${torch.stepMsMedian.toFixed(0)} ms/step, ${torch.tokPerSec.toFixed(0)} tokens/s`);
    console.log(`ratio weft/pytorch: ${(weftTps / torch.tokPerSec).toFixed(3)}`);
  }
}
