/**
 * Weft's own wasm kernels (batched matMul on XNNPACK, fused GELU (tanh and exact) / LayerNorm / bias gradient,
 * attention softmax, RMSNorm / SwiGLU / rotary embeddings, cross-entropy, Adam) compute what the plain tfjs ops
 * compute: values and gradients, for single ops and for whole models of GPT-2, Qwen3 and BERT, and they leak no tensors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, useBestBackend } from '../backend.ts';
import { useWeftKernels } from '../wasm-heap.ts';
import { DEFAULT_OPTIMIZER, Optimizer } from '../train/optimizer.ts';
import { batchMatMul } from './batch-matmul.ts';
import type { GptConfig } from './config.ts';
import { attentionSoftmax, columnSum, geluErf, geluErfOps, geluTanh, geluTanhOps, layerNorm, layerNormOps } from './fused-ops.ts';
import { rmsNorm, rmsNormOps, rope, swiglu, swigluOps } from './llama-fused-ops.ts';
import { crossEntropy, disposeParams, hiddenStates, initParams, lmLogits, type Params } from './model.ts';

const maxAbs = (t: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]!);

/** Largest difference relative to the largest magnitude of the reference (or to `scale`, when that is larger). */
function relDiff(a: tf.Tensor, b: tf.Tensor, scale = 1e-12): number {
  return tf.tidy(() => maxAbs(tf.sub(a, b)) / Math.max(maxAbs(b), scale));
}

/** f's value and gradients for xs, with Weft's kernels on or off. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], weft: boolean): tf.Tensor[] {
  useWeftKernels(weft);
  try {
    // A random projection of the output, so that every element's gradient matters.
    return tf.tidy(() => {
      const probe = (y: tf.Tensor) => tf.sum(tf.mul(y, tf.randomNormal(y.shape, 0, 1, 'float32', 7)));
      const value = f(...xs);
      return [value, ...tf.grads((...a: tf.Tensor[]) => probe(f(...a)))(xs)];
    });
  } finally {
    useWeftKernels(true);
  }
}

function expectSame(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], tolerance = 1e-5): void {
  const before = tf.memory().numTensors;
  const ours = valueAndGrads(f, xs, true);
  const plain = valueAndGrads(f, xs, false);
  // A gradient that is zero in theory (a key bias: softmax ignores a shift shared by a row) is
  // rounding noise on both sides: judge each against the largest gradient too.
  const scale = 1e-3 * Math.max(...plain.slice(1).map(maxAbs));
  ours.forEach((t, i) => {
    expect(t.shape, `output ${i}`).toEqual(plain[i]!.shape);
    expect(relDiff(t, plain[i]!, scale), `output ${i}`).toBeLessThan(tolerance);
  });
  tf.dispose([...ours, ...plain]);
  expect(tf.memory().numTensors).toBe(before);
}

const normal = (shape: number[], seed: number, std = 1) => tf.randomNormal(shape, 0, std, 'float32', seed);

beforeAll(async () => {
  // These kernels exist for the wasm backend: test them there whatever else is installed.
  process.env.WEFT_BACKEND = 'wasm';
  expect(await useBestBackend()).toBe('wasm');
});

describe("Weft's wasm kernels", () => {
  it('batchMatMul equals tf.matMul, with and without transposes, values and gradients', () => {
    for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      const a = normal(ta ? [3, 7, 5] : [3, 5, 7], 1);
      const b = normal(tb ? [3, 4, 7] : [3, 7, 4], 2);
      expectSame((x, y) => batchMatMul(x as tf.Tensor3D, y as tf.Tensor3D, ta, tb), [a, b]);
      // The Weft kernel really is a different path: tf.matMul gives the same numbers.
      expect(relDiff(batchMatMul(a as tf.Tensor3D, b as tf.Tensor3D, ta, tb), tf.matMul(a, b, ta, tb))).toBeLessThan(1e-6);
      tf.dispose([a, b]);
    }
  });

  it('GELU, LayerNorm, the bias gradient and the attention softmax equal their tfjs compositions', () => {
    const x = normal([12, 16], 3, 3);
    const w = tf.add(normal([16], 4, 0.2), 1);
    const b = normal([16], 5, 0.2);
    expectSame((t) => geluTanh(t), [x]);
    // Far into saturation too, where a tanh that is not exactly ±1 would give x³-sized gradients.
    const wide = tf.linspace(-60, 60, 241);
    expectSame((t) => geluTanh(t), [wide]);
    wide.dispose();
    expect(relDiff(geluTanh(x), geluTanhOps(x))).toBeLessThan(1e-6);
    // BERT's exact GELU likewise, near zero and far into both tails.
    expectSame((t) => geluErf(t), [x]);
    const tails = tf.linspace(-60, 60, 241);
    expectSame((t) => geluErf(t), [tails]);
    tails.dispose();
    expect(relDiff(geluErf(x), geluErfOps(x))).toBeLessThan(1e-6);
    expectSame((t, g, c) => layerNorm(t as tf.Tensor2D, g, c, 1e-5), [x, w, b]);
    expect(relDiff(layerNorm(x as tf.Tensor2D, w, b, 1e-5), layerNormOps(x as tf.Tensor2D, w, b, 1e-5))).toBeLessThan(1e-6);
    expectSame((t) => tf.mul(columnSum(t as tf.Tensor2D), 2), [x]);
    const scores = normal([4, 6, 6], 6, 2);
    const mask = tf.tensor2d(Array.from({ length: 36 }, (_, i) => (i % 6 > Math.floor(i / 6) ? -1e9 : 0)), [6, 6]);
    expectSame((s) => attentionSoftmax(s as tf.Tensor3D, 0.35, mask), [scores]);
    tf.dispose([x, w, b, scores, mask]);
  });

  it("RMSNorm, SwiGLU and rotary embeddings (the Llama family's chains) equal their tfjs compositions", () => {
    const x = normal([12, 16], 13, 3);
    const w = tf.add(normal([16], 14, 0.2), 1);
    expectSame((t, g) => rmsNorm(t as tf.Tensor2D, g, 1e-6), [x, w]);
    expect(relDiff(rmsNorm(x as tf.Tensor2D, w, 1e-6), rmsNormOps(x as tf.Tensor2D, w, 1e-6))).toBeLessThan(1e-6);
    const gate = normal([6, 20], 15, 4);
    const up = normal([6, 20], 16, 2);
    expectSame((a, b) => swiglu(a!, b!), [gate, up]);
    expect(relDiff(swiglu(gate, up), swigluOps(gate, up))).toBeLessThan(1e-6);
    // Rotary: 5 rows (batch x heads) of 7 positions, head size 8; tables as the model builds them (halves repeated).
    const angles = Array.from({ length: 7 * 8 }, (_, i) => Math.floor(i / 8) * 10000 ** (-(2 * (i % 4)) / 8));
    const cos = tf.tensor2d(angles.map(Math.cos), [7, 8]);
    const sin = tf.tensor2d(angles.map(Math.sin), [7, 8]);
    const rot = tf.tensor2d(Array.from({ length: 64 }, (_, i) => { const [r, c] = [Math.floor(i / 8), i % 8]; return r === c + 4 ? -1 : c === r + 4 ? 1 : 0; }), [8, 8]);
    const plain = (t: tf.Tensor3D) => tf.add(tf.mul(t, cos), tf.mul(tf.reshape(tf.matMul(tf.reshape(t, [35, 8]), rot), [5, 7, 8]), sin)) as tf.Tensor3D;
    const q = normal([5, 7, 8], 17);
    expectSame((t) => rope(t as tf.Tensor3D, cos, sin, () => plain(t as tf.Tensor3D)), [q]);
    // The fused kernel is really another path: the plain composition gives the same numbers.
    expect(relDiff(rope(q as tf.Tensor3D, cos, sin, () => { throw new Error('the wasm kernel should have run'); }), plain(q as tf.Tensor3D))).toBeLessThan(1e-6);
    tf.dispose([x, w, gate, up, cos, sin, rot, q]);
  });

  for (const family of ['gpt2', 'qwen3', 'bert'] as const) {
    it(`a ${family} model gives the same loss and gradients as with the plain tfjs ops`, () => {
      const base: GptConfig = { vocabSize: 40, contextLength: 16, width: 32, layers: 2, heads: 4, dropout: 0, causal: true, tiedEmbeddings: false, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 };
      const config: GptConfig =
        family === 'gpt2'
          ? base
          : family === 'bert'
            ? { ...base, family, causal: false, maskTokenId: 39, intermediateSize: 48, activation: 'gelu', typeVocabSize: 2, layerNormEps: 1e-12 }
            : { ...base, family, kvHeads: 2, headDim: 8, intermediateSize: 48, rope: { theta: 10000 }, qkNorm: true, layerNormEps: 1e-6 };
      const params: Params = initParams(config, 4);
      const ids = tf.tensor2d(Array.from({ length: 3 * 16 }, (_, i) => (i * 7) % 40), [3, 16], 'int32');
      const labels = tf.tensor1d(Array.from({ length: 3 * 16 }, (_, i) => (i * 11 + 3) % 40), 'int32');
      const weights = tf.tensor1d(Array.from({ length: 3 * 16 }, (_, i) => (i % 5 === 0 ? 0 : 1)));
      const names = [...params.keys()];
      const loss = (...vs: tf.Tensor[]) => {
        const p: Params = new Map(names.map((n, i) => [n, vs[i] as tf.Variable]));
        return crossEntropy(lmLogits(p, config, hiddenStates(p, config, ids, { training: true })), labels, weights);
      };
      expectSame(loss, [...params.values()], 1e-4);
      tf.dispose([ids, labels, weights]);
      disposeParams(params);
    });
  }

  it('the one-kernel Adam and AdamW updates equal the op-by-op ones over several steps', () => {
    for (const kind of ['adam', 'adamw'] as const) {
      const results = [true, false].map((weft) => {
        useWeftKernels(weft);
        try {
          const params: Params = new Map([
            ['h.0.mlp.c_fc.weight', tf.variable(normal([6, 5], 8))],
            ['h.0.mlp.c_fc.bias', tf.variable(normal([5], 9))],
          ]);
          const optimizer = new Optimizer({ ...DEFAULT_OPTIMIZER, kind, weightDecay: 0.1, clipNorm: 0.5 }, params);
          for (let step = 0; step < 4; step++) {
            const grads = new Map([...params].map(([n, v], i) => [n, normal(v.shape, 20 + step * 2 + i)]));
            const norm = Optimizer.globalNorm(grads);
            optimizer.apply(grads, 1e-2, norm);
            tf.dispose([norm, ...grads.values()]);
          }
          const out = [...params.values()].map((v) => tf.clone(v));
          optimizer.dispose();
          disposeParams(params);
          return out;
        } finally {
          useWeftKernels(true);
        }
      });
      results[0]!.forEach((t, i) => expect(relDiff(t, results[1]![i]!), `${kind} parameter ${i}`).toBeLessThan(1e-6));
      tf.dispose(results.flat());
    }
  });
});
