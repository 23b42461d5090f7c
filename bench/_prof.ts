import { tf, useBestBackend } from '../nodes/lib/backend.ts';
import { initParams, hiddenStates, lmLogits, crossEntropy } from '../nodes/lib/gpt/model.ts';
await useBestBackend();
const c = { vocabSize: 256, contextLength: 128, width: 128, layers: 4, heads: 4, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 };
const B = 16, T = 128;
const p = initParams(c, 1);
const vars = [...p.values()];
const ids = new Int32Array(B * (T + 1)).map((_, i) => (i * 7) % 256);
const run = () => tf.tidy(() => {
  const x = tf.tensor2d(ids.slice(0, B * T), [B, T], 'int32');
  const y = tf.tensor1d(ids.slice(1, B * T + 1), 'int32');
  const { value, grads } = tf.variableGrads(() => crossEntropy(lmLogits(p, c, hiddenStates(p, c, x, { training: true })), y, tf.ones([B * T])), vars);
  return value;
});
run().dispose();
const info = await tf.profile(() => run());
const agg = new Map<string, { ms: number; n: number; shapes: string }>();
for (const k of info.kernels) {
  const key = k.name === 'BatchMatMul' ? 'BMM ' + JSON.stringify(k.inputShapes) : k.name;
  const a = agg.get(key) ?? { ms: 0, n: 0, shapes: '' };
  a.ms += (await k.kernelTimeMs) as number; a.n++;
  if (a.shapes.length < 120) a.shapes += JSON.stringify(k.inputShapes) + ' ';
  agg.set(key, a);
}
const rows = [...agg.entries()].sort((a, b) => b[1].ms - a[1].ms);
const total = rows.reduce((s, r) => s + r[1].ms, 0);
console.log('total kernel ms', total.toFixed(0));
for (const [name, a] of rows.slice(0, 22)) console.log(name.padEnd(22), a.ms.toFixed(0).padStart(6), String(a.n).padStart(4), a.shapes.slice(0, 110));
