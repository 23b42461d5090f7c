/**
 * A GPT-2-style transformer written for TensorFlow.js backends as they are: every dense layer is
 * one plain 2-D, non-transposed matMul (the only kind the wasm backend hands to XNNPACK), the
 * embedding lookup has a gradient that works on wasm (no UnsortedSegmentSum), and GELU is built
 * from tanh. Parameters use GPT-2 tensor names; q, k and v are kept as three matrices and joined
 * into c_attn only when saving.
 */
import { tf } from '../backend.ts';
import { Prng } from '../prng.ts';
import type { GptConfig } from './config.ts';

export type Params = Map<string, tf.Variable>;

/** Per-layer key/value cache for generation: [batch*heads, time, headDim]. */
export interface KvCache {
  k: tf.Tensor3D[];
  v: tf.Tensor3D[];
  length: number;
}

function normalVar(rng: Prng, shape: number[], std: number): tf.Variable {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.normal() * std;
  return tf.variable(tf.tensor(data, shape), true);
}

const constVar = (shape: number[], value: number) => tf.variable(tf.fill(shape, value), true);

/** Seeded GPT-2 initialisation: N(0, 0.02), residual projections scaled by 1/sqrt(2 x layers). */
export function initParams(c: GptConfig, seed: number): Params {
  const rng = new Prng(seed);
  const d = c.width;
  const p: Params = new Map();
  p.set('wte.weight', normalVar(rng, [c.vocabSize, d], 0.02));
  p.set('wpe.weight', normalVar(rng, [c.contextLength, d], 0.01));
  const projStd = 0.02 / Math.sqrt(2 * c.layers);
  for (let i = 0; i < c.layers; i++) {
    const h = `h.${i}.`;
    p.set(h + 'ln_1.weight', constVar([d], 1));
    p.set(h + 'ln_1.bias', constVar([d], 0));
    for (const x of ['q', 'k', 'v']) {
      p.set(h + `attn.${x}.weight`, normalVar(rng, [d, d], 0.02));
      p.set(h + `attn.${x}.bias`, constVar([d], 0));
    }
    p.set(h + 'attn.c_proj.weight', normalVar(rng, [d, d], projStd));
    p.set(h + 'attn.c_proj.bias', constVar([d], 0));
    p.set(h + 'ln_2.weight', constVar([d], 1));
    p.set(h + 'ln_2.bias', constVar([d], 0));
    p.set(h + 'mlp.c_fc.weight', normalVar(rng, [d, 4 * d], 0.02));
    p.set(h + 'mlp.c_fc.bias', constVar([4 * d], 0));
    p.set(h + 'mlp.c_proj.weight', normalVar(rng, [4 * d, d], projStd));
    p.set(h + 'mlp.c_proj.bias', constVar([d], 0));
  }
  p.set('ln_f.weight', constVar([d], 1));
  p.set('ln_f.bias', constVar([d], 0));
  if (!c.tiedEmbeddings) p.set('lm_head.weight', normalVar(rng, [d, c.vocabSize], 0.02));
  if (c.numClasses) {
    p.set('score.weight', normalVar(rng, [d, c.numClasses], 0.02));
    p.set('score.bias', constVar([c.numClasses], 0));
  }
  return p;
}

export function disposeParams(p: Params): void {
  for (const v of p.values()) v.dispose();
  p.clear();
}

const P = (p: Params, name: string) => {
  const v = p.get(name);
  if (!v) throw new Error(`model has no parameter "${name}"`);
  return v;
};

/** One-hot rows as float32. The wasm OneHot kernel ignores its dtype argument and writes int32 bits, so cast. */
function oneHotFloat(ids: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(ids, depth), 'float32') as tf.Tensor2D;
}

/** Embedding lookup whose gradient is a one-hot matMul, which every backend supports. */
const embedLookup = tf.customGrad(((table: tf.Tensor2D, ids: tf.Tensor1D, save: (t: tf.Tensor[]) => void) => {
  // ids must be saved, not closed over: tfjs frees forward-pass tensors that no gradient saved.
  save([ids]);
  return {
    value: tf.gather(table, ids),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const savedIds = saved[0] as tf.Tensor1D;
      return [tf.matMul(tf.transpose(oneHotFloat(savedIds, table.shape[0])), dy), tf.zerosLike(savedIds)];
    },
  };
}) as never) as (table: tf.Tensor, ids: tf.Tensor) => tf.Tensor2D;

function embed(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  return embedLookup(table, ids);
}

function layerNorm(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), w), b);
}

const GELU_C = Math.sqrt(2 / Math.PI);
/** GPT-2's tanh approximation ("gelu_new"); tfjs-core has no GELU op. */
function gelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), GELU_C);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/**
 * x·W whose backward pass is also two plain matMuls (explicit transposes are cheap copies), so all
 * six matmuls of a dense layer take the wasm backend's XNNPACK path rather than its scalar loop.
 */
const plainMatMul = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, save: (t: tf.Tensor[]) => void) => {
  save([x, w]);
  return {
    value: tf.matMul(x, w) as tf.Tensor,
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy)];
    },
  };
}) as never) as (x: tf.Tensor, w: tf.Tensor) => tf.Tensor2D;

const dense = (x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor) => tf.add(plainMatMul(x, w), b) as tf.Tensor2D;

/** The named dense layer, plus its LoRA adapter when one is attached. */
function layer(p: Params, name: string, x: tf.Tensor2D): tf.Tensor2D {
  const out = dense(x, P(p, name + '.weight'), P(p, name + '.bias'));
  const a = p.get(name + '.lora_A');
  if (!a) return out;
  const delta = plainMatMul(plainMatMul(x, a), P(p, name + '.lora_B'));
  return tf.add(out, tf.mul(delta, P(p, 'lora.scale'))) as tf.Tensor2D;
}

export interface ForwardOptions {
  training: boolean;
  /** Seed of this step's dropout masks (so a resumed run draws the same ones). */
  dropoutSeed?: number;
  cache?: KvCache;
}

/**
 * Hidden states after the final LayerNorm, [batch*time, width]. With a cache, `ids` holds only the
 * new tokens and the cache grows by them.
 */
export function hiddenStates(p: Params, c: GptConfig, ids: tf.Tensor2D, opts: ForwardOptions): tf.Tensor2D {
  const [B, T] = ids.shape;
  const d = c.width;
  const H = c.heads;
  const hd = d / H;
  const past = opts.cache?.length ?? 0;
  if (past + T > c.contextLength) throw new Error(`sequence of ${past + T} tokens exceeds the model's context of ${c.contextLength}`);
  const drop = (x: tf.Tensor, salt: number) =>
    opts.training && c.dropout > 0 ? tf.dropout(x, c.dropout, undefined, ((opts.dropoutSeed ?? 0) * 1000003 + salt) % 2147483647) : x;

  const flatIds = tf.reshape(ids, [B * T]) as tf.Tensor1D;
  const tok = embed(P(p, 'wte.weight') as tf.Tensor2D, flatIds);
  // Broadcasting the positions over the batch (rather than tiling them) keeps the backward pass a single sum.
  const pos = tf.slice(P(p, 'wpe.weight'), [past, 0], [T, d]);
  let h = drop(tf.reshape(tf.add(tf.reshape(tok, [B, T, d]), pos), [B * T, d]), 1) as tf.Tensor2D;

  const mask = c.causal && T > 1 ? causalMask(T, past) : null;
  const scale = 1 / Math.sqrt(hd);
  const heads = (x: tf.Tensor2D) => tf.reshape(tf.transpose(tf.reshape(x, [B, T, H, hd]), [0, 2, 1, 3]), [B * H, T, hd]) as tf.Tensor3D;

  for (let i = 0; i < c.layers; i++) {
    const pre = `h.${i}.`;
    const a = layerNorm(h, P(p, pre + 'ln_1.weight'), P(p, pre + 'ln_1.bias'), c.layerNormEps);
    const q = heads(layer(p, pre + 'attn.q', a));
    let k = heads(layer(p, pre + 'attn.k', a));
    let v = heads(layer(p, pre + 'attn.v', a));
    if (opts.cache) {
      const ck = opts.cache.k[i];
      const cv = opts.cache.v[i];
      if (ck && cv) {
        k = tf.concat([ck, k], 1);
        v = tf.concat([cv, v], 1);
      }
      opts.cache.k[i] = tf.keep(k);
      opts.cache.v[i] = tf.keep(v);
      ck?.dispose();
      cv?.dispose();
    }
    let att = tf.mul(tf.matMul(q, k, false, true), scale);
    if (mask) att = tf.add(att, mask);
    att = drop(tf.softmax(att), 10 + i) as tf.Tensor3D;
    const y = tf.reshape(tf.transpose(tf.reshape(tf.matMul(att, v), [B, H, T, hd]), [0, 2, 1, 3]), [B * T, d]) as tf.Tensor2D;
    h = tf.add(h, drop(layer(p, pre + 'attn.c_proj', y), 100 + i)) as tf.Tensor2D;
    const m = layerNorm(h, P(p, pre + 'ln_2.weight'), P(p, pre + 'ln_2.bias'), c.layerNormEps);
    const f = gelu(layer(p, pre + 'mlp.c_fc', m)) as tf.Tensor2D;
    h = tf.add(h, drop(layer(p, pre + 'mlp.c_proj', f), 200 + i)) as tf.Tensor2D;
  }
  if (opts.cache) opts.cache.length = past + T;
  return layerNorm(h, P(p, 'ln_f.weight'), P(p, 'ln_f.bias'), c.layerNormEps);
}

/** [T, past+T] additive mask: 0 where a query may look, -1e9 at future positions. */
function causalMask(T: number, past: number): tf.Tensor2D {
  const data = new Float32Array(T * (past + T));
  for (let i = 0; i < T; i++) for (let j = past + i + 1; j < past + T; j++) data[i * (past + T) + j] = -1e9;
  return tf.tensor2d(data, [T, past + T]);
}

/** Next-token logits, [rows, vocab]. The tied head multiplies by wte transposed once, as a copy. */
export function lmLogits(p: Params, c: GptConfig, hidden: tf.Tensor2D): tf.Tensor2D {
  const head = c.tiedEmbeddings ? tf.transpose(P(p, 'wte.weight')) : P(p, 'lm_head.weight');
  return plainMatMul(hidden, head);
}

/**
 * Class logits from the hidden state of each sequence's last real token, as GPT-2's sequence
 * classifier does: with causal attention, padding after that token cannot affect it. The row pick
 * is a one-hot matMul so its gradient works on every backend.
 */
export function classifierLogits(p: Params, c: GptConfig, hidden: tf.Tensor2D, lastIndex: Int32Array): tf.Tensor2D {
  const rows = hidden.shape[0];
  const T = rows / lastIndex.length;
  // One sequence of one token: that row is the pick (and oneHot refuses a depth of 1).
  const pooled =
    rows === 1 ? hidden : plainMatMul(tf.cast(tf.oneHot(tf.tensor1d(Array.from(lastIndex, (t, b) => b * T + t), 'int32'), rows), 'float32') as tf.Tensor2D, hidden);
  return tf.add(plainMatMul(pooled, P(p, 'score.weight')), P(p, 'score.bias')) as tf.Tensor2D;
}

/** Adds a freshly initialised classification head (score.weight, score.bias) for `classes` classes. */
export function addClassifierHead(p: Params, c: GptConfig, classes: number, seed: number): void {
  p.get('score.weight')?.dispose();
  p.get('score.bias')?.dispose();
  const rng = new Prng(seed);
  p.set('score.weight', normalVar(rng, [c.width, classes], 0.02));
  p.set('score.bias', constVar([classes], 0));
}

/** Mean token-level cross-entropy, weighted (0 weight = ignored token). */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, weights: tf.Tensor1D): tf.Scalar {
  const logProbs = tf.sub(logits, tf.logSumExp(logits, 1, true));
  const picked = tf.sum(tf.mul(oneHotFloat(labels, logits.shape[1]), logProbs), 1);
  return tf.div(tf.neg(tf.sum(tf.mul(picked, weights))), tf.maximum(tf.sum(weights), 1)) as tf.Scalar;
}

export function newCache(): KvCache {
  return { k: [], v: [], length: 0 };
}

export function disposeCache(cache: KvCache): void {
  for (const t of [...cache.k, ...cache.v]) t?.dispose();
  cache.k = [];
  cache.v = [];
  cache.length = 0;
}
