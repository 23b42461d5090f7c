/**
 * The Llama family's fused wasm kernels (gpt/llama-fused-ops.ts) against the tfjs compositions they
 * replace, forward and backward, at the reference configuration's shapes (batch 16 x context 128,
 * width 128, 4 heads of 32, MLP 352). Interleaved rounds, CPU time of this process (wasm is one
 * thread), so a loaded shared machine skews both sides alike.
 *   npx tsx bench/llama-kernels.ts [--rounds 20]
 */
import { parseArgs } from 'node:util';
import { tf, useBestBackend } from '../nodes/lib/backend.ts';
import { rmsNorm, rmsNormOps, rope, swiglu, swigluOps } from '../nodes/lib/gpt/llama-fused-ops.ts';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '20' } } });
process.env.WEFT_BACKEND = 'wasm';
await useBestBackend();
const rows = 16 * 128;
const x = tf.randomNormal([rows, 128]);
const w = tf.randomNormal([128]);
const gate = tf.randomNormal([rows, 352]);
const up = tf.randomNormal([rows, 352]);
const q = tf.randomNormal([16 * 4, 128, 32]);
const cos = tf.randomNormal([128, 32]);
const sin = tf.randomNormal([128, 32]);
const rot = tf.tensor2d(Array.from({ length: 32 * 32 }, (_, i) => { const [r, c] = [Math.floor(i / 32), i % 32]; return r === c + 16 ? -1 : c === r + 16 ? 1 : 0; }), [32, 32]);
const ropeOps = (t: tf.Tensor3D) => tf.add(tf.mul(t, cos), tf.mul(tf.reshape(tf.matMul(tf.reshape(t, [-1, 32]), rot), t.shape), sin)) as tf.Tensor3D;

const cases: Record<string, [() => void, () => void]> = {};
const fwdBwd = (f: (...t: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]) => () => tf.tidy(() => void tf.grads((...a: tf.Tensor[]) => tf.sum(f(...a)))(xs).forEach((g) => g.dataSync()));
cases.RMSNorm = [fwdBwd((a, b) => rmsNorm(a as tf.Tensor2D, b!, 1e-6), [x, w]), fwdBwd((a, b) => rmsNormOps(a as tf.Tensor2D, b!, 1e-6), [x, w])];
cases.SwiGLU = [fwdBwd((a, b) => swiglu(a!, b!), [gate, up]), fwdBwd((a, b) => swigluOps(a!, b!), [gate, up])];
cases.RoPE = [fwdBwd((a) => rope(a as tf.Tensor3D, cos as tf.Tensor2D, sin as tf.Tensor2D, () => ropeOps(a as tf.Tensor3D)), [q]), fwdBwd((a) => ropeOps(a as tf.Tensor3D), [q])];

const cpu = (f: () => void) => {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
for (const [name, [fused, ops]] of Object.entries(cases)) {
  fused();
  ops();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < Number(args.rounds); i++) {
    a.push(cpu(fused));
    b.push(cpu(ops));
  }
  const med = (v: number[]) => [...v].sort((m, n) => m - n)[v.length >> 1]!;
  console.log(`${name.padEnd(8)} fused ${med(a).toFixed(1)} ms, tfjs ops ${med(b).toFixed(1)} ms (forward + backward, CPU time, median of ${args.rounds})`);
}
