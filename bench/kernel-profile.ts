/**
 * Where one training step of the reference GPT (bench/train-throughput.ts's configuration) spends
 * its kernel time on the current backend: per kernel name, and the top kernels by name and input
 * shapes (so batched attention matmuls show apart from the dense ones); before that, the wall and
 * CPU time of a few steps.
 *   npx tsx bench/kernel-profile.ts [--top 25] [--steps 5]
 */
import { parseArgs } from 'node:util';
import { tf, useBestBackend } from '../nodes/lib/backend.ts';
import type { GptConfig } from '../nodes/lib/gpt/config.ts';
import { crossEntropy, hiddenStates, initParams, lmLogits } from '../nodes/lib/gpt/model.ts';
import { DEFAULT_OPTIMIZER, Optimizer } from '../nodes/lib/train/optimizer.ts';

const { values: args } = parseArgs({ options: { top: { type: 'string', default: '25' }, steps: { type: 'string', default: '5' } } });
const config: GptConfig = { vocabSize: 256, contextLength: 128, width: 128, layers: 4, heads: 4, dropout: 0, causal: true, tiedEmbeddings: false, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 };
const B = 16;
const T = 128;
const backend = await useBestBackend();
const params = initParams(config, 0);
const names = [...params.keys()];
const vars = [...params.values()];
const byVar = new Map(vars.map((v, i) => [v.name, names[i]!]));
const optimizer = new Optimizer({ ...DEFAULT_OPTIMIZER, kind: 'adam', weightDecay: 0, clipNorm: 0 }, params);
const x = tf.tensor2d(Int32Array.from({ length: B * T }, (_, i) => (i * 7919) % 256), [B, T], 'int32');
const y = tf.tensor1d(Int32Array.from({ length: B * T }, (_, i) => (i * 104729) % 256), 'int32');

function step(): tf.Scalar {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => crossEntropy(lmLogits(params, config, hiddenStates(params, config, x, { training: true })), y, tf.ones([B * T])), vars);
    const named = new Map(Object.entries(grads).map(([k, g]) => [byVar.get(k)!, g]));
    optimizer.apply(named, 1e-3, Optimizer.globalNorm(named));
    return value;
  });
}

for (let i = 0; i < 2; i++) await (async (loss) => (await loss.data(), loss.dispose()))(step());
// Wall and CPU time of a few plain steps: on a machine shared with other work, wall time counts
// other processes' turns too, CPU time only this (single-threaded) process's own work.
const wall: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < Number(args.steps); i++) {
  const [c0, w0] = [process.cpuUsage(), performance.now()];
  const loss = step();
  await loss.data();
  loss.dispose();
  const c = process.cpuUsage(c0);
  wall.push(performance.now() - w0);
  cpu.push((c.user + c.system) / 1000);
}
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
console.log(`step (median of ${args.steps}): ${median(wall).toFixed(0)} ms wall (${((B * T * 1000) / median(wall)).toFixed(0)} tokens/s), ${median(cpu).toFixed(0)} ms CPU (${((B * T * 1000) / median(cpu)).toFixed(0)} tokens per CPU-second)`);
const t0 = performance.now();
const info = await tf.profile(() => step());
const profiledWall = performance.now() - t0;
const byName = new Map<string, [number, number]>();
const byShape = new Map<string, [number, number]>();
// Wrappers (a tf.customGrad's 'forward', tf.fused's '...__op'): their time is that of the kernels they run, listed on their own.
const wrapper = (name: string) => name === 'forward' || name.endsWith('__op');
for (const k of info.kernels.filter((k) => !wrapper(k.name))) {
  const ms = (await k.kernelTimeMs) as number;
  const add = (m: Map<string, [number, number]>, key: string) => {
    const e = m.get(key) ?? [0, 0];
    m.set(key, [e[0] + ms, e[1] + 1]);
  };
  add(byName, k.name);
  add(byShape, `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(' ')}`);
}
const total = [...byName.values()].reduce((a, b) => a + b[0], 0);
console.log(`backend ${backend}: profiled step ${profiledWall.toFixed(0)} ms wall, ${total.toFixed(0)} ms in ${info.kernels.length} kernels`);
const show = (m: Map<string, [number, number]>, n: number) => {
  for (const [key, [ms, count]] of [...m].sort((a, b) => b[1][0] - a[1][0]).slice(0, n))
    console.log(`  ${ms.toFixed(0).padStart(6)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  x${String(count).padEnd(4)} ${key}`);
};
console.log('by kernel:');
show(byName, 40);
console.log('by kernel and input shapes:');
show(byShape, Number(args.top));
