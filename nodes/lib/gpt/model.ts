/**
 * One transformer core for GPT-2, the Llama family (Llama, Mistral, Qwen2, Qwen3) and the BERT
 * family of post-LN masked-LM encoders (BERT, RoBERTa), written for
 * TensorFlow.js backends as they are: every dense layer is one plain 2-D, non-transposed matMul
 * (the only kind the wasm backend hands to XNNPACK), the embedding lookup has a gradient that works
 * on wasm (no UnsortedSegmentSum), GELU and erf are built from elementary ops, and RoPE's
 * rotate-half is a matMul with a fixed signed permutation.
 *
 * Parameters have one naming for every family (GPT-2's: wte, h.i.ln_1, h.i.attn.q/k/v/c_proj,
 * h.i.mlp.*, ln_f, lm_head), stored [in, out] for the matMul; io.ts maps them to and from each
 * family's Hugging Face names and layouts.
 */
import { tf } from '../backend.ts';
import { isEncoderFamily, shapeOf, type ModelShape } from '../hf-config.ts';
import { Prng } from '../prng.ts';
import { rank1Bias } from '../wasm-heap.ts';
import { batchMatMul } from './batch-matmul.ts';
import { attentionSoftmax, columnSum, geluErf, geluTanh, layerNorm } from './fused-ops.ts';
import { rmsNorm, rope, swiglu } from './llama-fused-ops.ts';
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
  return newVariable(() => tf.tensor(data, shape));
}

/**
 * A trainable variable made from a tensor built inside tidy: tf.variable(t) would otherwise leave t's
 * handle alive beside the variable (a second entry per weight in tf.memory(), for the worker's life).
 */
export const newVariable = (make: () => tf.Tensor, trainable = true): tf.Variable => tf.tidy(() => tf.variable(make(), trainable));

const constVar = (shape: number[], value: number) => newVariable(() => tf.fill(shape, value));

/** Seeded initialisation: N(0, 0.02), residual projections scaled by 1/sqrt(2 x layers), norms at 1. */
export function initParams(config: GptConfig, seed: number): Params {
  const c = shapeOf(config);
  if (isEncoderFamily(c.family)) return initEncoderParams(c, seed);
  if (c.family !== 'gpt2') return initLlamaParams(c, seed);
  const rng = new Prng(seed);
  const d = c.width;
  const I = c.intermediateSize;
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
    p.set(h + 'mlp.c_fc.weight', normalVar(rng, [d, I], 0.02));
    p.set(h + 'mlp.c_fc.bias', constVar([I], 0));
    p.set(h + 'mlp.c_proj.weight', normalVar(rng, [I, d], projStd));
    p.set(h + 'mlp.c_proj.bias', constVar([d], 0));
  }
  p.set('ln_f.weight', constVar([d], 1));
  p.set('ln_f.bias', constVar([d], 0));
  if (!c.tiedEmbeddings) p.set('lm_head.weight', normalVar(rng, [d, c.vocabSize], 0.02));
  if (c.numClasses) p.set('score.weight', normalVar(rng, [d, c.numClasses], 0.02));
  return p;
}

/**
 * BERT's initialisation (every matrix and embedding N(0, 0.02), LayerNorms at 1 and 0): word,
 * position and token-type embeddings with their LayerNorm, post-LN layers, the masked-LM head.
 */
function initEncoderParams(c: ModelShape, seed: number): Params {
  const rng = new Prng(seed);
  const d = c.width;
  const I = c.intermediateSize;
  const p: Params = new Map();
  const norm = (name: string) => {
    p.set(name + '.weight', constVar([d], 1));
    p.set(name + '.bias', constVar([d], 0));
  };
  const linear = (name: string, din: number, dout: number) => {
    p.set(name + '.weight', normalVar(rng, [din, dout], 0.02));
    p.set(name + '.bias', constVar([dout], 0));
  };
  p.set('wte.weight', normalVar(rng, [c.vocabSize, d], 0.02));
  p.set('wpe.weight', normalVar(rng, [c.contextLength + (c.positionOffset ?? 0), d], 0.02));
  p.set('wtt.weight', normalVar(rng, [c.typeVocabSize ?? 2, d], 0.02));
  norm('emb_ln');
  for (let i = 0; i < c.layers; i++) {
    const h = `h.${i}.`;
    for (const x of ['q', 'k', 'v', 'c_proj']) linear(h + `attn.${x}`, d, d);
    norm(h + 'ln_1');
    linear(h + 'mlp.c_fc', d, I);
    linear(h + 'mlp.c_proj', I, d);
    norm(h + 'ln_2');
  }
  linear('mlm.dense', d, d);
  norm('mlm.ln');
  p.set('mlm.bias', constVar([c.vocabSize], 0));
  if (!c.tiedEmbeddings) p.set('lm_head.weight', normalVar(rng, [d, c.vocabSize], 0.02));
  if (c.numClasses) addEncoderClassifier(p, c, c.numClasses, rng);
  return p;
}

/** BERT's pooler (dense + tanh on the first token; kept when the model already has one) and classifier, with its bias. */
function addEncoderClassifier(p: Params, c: ModelShape, classes: number, rng: Prng): void {
  if (!p.has('pooler.weight')) {
    p.set('pooler.weight', normalVar(rng, [c.width, c.width], 0.02));
    p.set('pooler.bias', constVar([c.width], 0));
  }
  p.set('score.weight', normalVar(rng, [c.width, classes], 0.02));
  p.set('score.bias', constVar([classes], 0));
}

/** The Llama family: RMSNorm gains, q/k/v (grouped) and o, SwiGLU's gate/up/down, no learned positions. */
function initLlamaParams(c: ModelShape, seed: number): Params {
  const rng = new Prng(seed);
  const d = c.width;
  const q = c.heads * c.headDim;
  const kv = c.kvHeads * c.headDim;
  const I = c.intermediateSize;
  const p: Params = new Map();
  const projStd = 0.02 / Math.sqrt(2 * c.layers);
  p.set('wte.weight', normalVar(rng, [c.vocabSize, d], 0.02));
  for (let i = 0; i < c.layers; i++) {
    const h = `h.${i}.`;
    p.set(h + 'ln_1.weight', constVar([d], 1));
    for (const [x, out] of [['q', q], ['k', kv], ['v', kv]] as const) {
      p.set(h + `attn.${x}.weight`, normalVar(rng, [d, out], 0.02));
      if (c.qkvBias) p.set(h + `attn.${x}.bias`, constVar([out], 0));
    }
    if (c.qkNorm) {
      p.set(h + 'attn.q_norm.weight', constVar([c.headDim], 1));
      p.set(h + 'attn.k_norm.weight', constVar([c.headDim], 1));
    }
    p.set(h + 'attn.c_proj.weight', normalVar(rng, [q, d], projStd));
    if (c.attnOutputBias) p.set(h + 'attn.c_proj.bias', constVar([d], 0));
    p.set(h + 'ln_2.weight', constVar([d], 1));
    p.set(h + 'mlp.gate.weight', normalVar(rng, [d, I], 0.02));
    p.set(h + 'mlp.up.weight', normalVar(rng, [d, I], 0.02));
    p.set(h + 'mlp.down.weight', normalVar(rng, [I, d], projStd));
    if (c.mlpBias) {
      p.set(h + 'mlp.gate.bias', constVar([I], 0));
      p.set(h + 'mlp.up.bias', constVar([I], 0));
      p.set(h + 'mlp.down.bias', constVar([d], 0));
    }
  }
  p.set('ln_f.weight', constVar([d], 1));
  if (!c.tiedEmbeddings) p.set('lm_head.weight', normalVar(rng, [d, c.vocabSize], 0.02));
  if (c.numClasses) p.set('score.weight', normalVar(rng, [d, c.numClasses], 0.02));
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

/** A frozen table (LoRA, or inference) needs no gradient: a plain gather, no one-hot [vocab, tokens] product. */
function embed(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  return isFrozen(table) ? tf.gather(table, ids) : embedLookup(table, ids);
}

/** A variable the trainer is not updating (its `trainable` flag off): no gradient is computed for it. */
const isFrozen = (t: tf.Tensor) => t instanceof tf.Variable && !t.trainable;


const silu = (x: tf.Tensor) => tf.mul(x, tf.sigmoid(x));

function activation(name: string, x: tf.Tensor): tf.Tensor {
  switch (name) {
    case 'relu':
      return tf.relu(x);
    case 'gelu':
      return geluErf(x);
    case 'silu':
    case 'swish':
      return silu(x);
    default:
      // GPT-2's tanh approximation ("gelu_new", also gelu_pytorch_tanh and gelu_fast); tfjs-core has no GELU op.
      return geluTanh(x);
  }
}

/** Rotary inverse frequencies per pair of a head's dimensions, with the Llama-3 or linear scaling. */
function ropeInverseFrequencies(c: ModelShape): Float64Array {
  const half = c.headDim / 2;
  const theta = c.rope?.theta ?? 10000;
  const inv = Float64Array.from({ length: half }, (_, i) => 1 / theta ** ((2 * i) / c.headDim));
  const s = c.rope?.scaling;
  if (!s) return inv;
  if (s.type === 'linear') return inv.map((f) => f / s.factor);
  // Llama 3: long wavelengths slowed by `factor`, short ones kept, the band between blended.
  const lowWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositions / s.highFreqFactor;
  return inv.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highWavelen) return f;
    if (wavelen > lowWavelen) return f / s.factor;
    const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    return (1 - smooth) * (f / s.factor) + smooth * f;
  });
}

/** cos and sin tables [T, headDim] for positions past..past+T-1, halves repeated as HF's rotate-half expects. */
function ropeTables(c: ModelShape, past: number, T: number): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const inv = ropeInverseFrequencies(c);
  const hd = c.headDim;
  const cos = new Float32Array(T * hd);
  const sin = new Float32Array(T * hd);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < hd / 2; i++) {
      // float32 angles, as transformers computes them
      const angle = Math.fround(Math.fround(past + t) * Math.fround(inv[i]!));
      cos[t * hd + i] = cos[t * hd + i + hd / 2] = Math.cos(angle);
      sin[t * hd + i] = sin[t * hd + i + hd / 2] = Math.sin(angle);
    }
  }
  return { cos: tf.tensor2d(cos, [T, hd]), sin: tf.tensor2d(sin, [T, hd]) };
}

/** rotate_half(x) = [-x2, x1] as x · R, so that it is one plain matMul (and its gradient another). */
function rotateHalfMatrix(hd: number): tf.Tensor2D {
  const r = new Float32Array(hd * hd);
  const h = hd / 2;
  for (let j = 0; j < h; j++) {
    r[(j + h) * hd + j] = -1;
    r[j * hd + j + h] = 1;
  }
  return tf.tensor2d(r, [hd, hd]);
}

/** Applies rotary embeddings to [B*heads, T, hd]. */
function applyRope(x: tf.Tensor3D, cos: tf.Tensor2D, sin: tf.Tensor2D, rot: tf.Tensor2D): tf.Tensor3D {
  const [n, T, hd] = x.shape;
  return rope(x, cos, sin, () => {
    const rotated = tf.reshape(plainMatMul(tf.reshape(x, [n * T, hd]) as tf.Tensor2D, rot), [n, T, hd]);
    return tf.add(tf.mul(x, cos), tf.mul(rotated, sin)) as tf.Tensor3D;
  });
}

/** Key/value heads repeated for grouped-query attention: [B*kv, T, hd] -> [B*kv*rep, T, hd], as HF's repeat_kv. */
function repeatKv(x: tf.Tensor3D, rep: number): tf.Tensor3D {
  if (rep === 1) return x;
  const [n, T, hd] = x.shape;
  return tf.reshape(tf.tile(tf.reshape(x, [n, 1, T * hd]), [1, rep, 1]), [n * rep, T, hd]) as tf.Tensor3D;
}

/**
 * What a dense layer keeps for its backward pass. tfjs copies every saved tensor (on wasm a real
 * copy), and whatever a gradient makes lives until the whole backward pass ends. A weight that is
 * a variable outlives the pass, so it is closed over rather than saved, and each gradient runs in
 * its own tidy, so its transposes are freed at once: together several model-sized copies fewer at
 * the step's peak (a 62M-parameter model's full fine-tuning peak fell from 2.6 to about 1.5 GiB).
 */
const weightFor = (w: tf.Tensor, saved: tf.Tensor[], at: number) => (w instanceof tf.Variable ? w : saved[at]!) as tf.Tensor2D;
const savedFor = (x: tf.Tensor, w: tf.Tensor) => (w instanceof tf.Variable ? [x] : [x, w]);

/**
 * x·W whose backward pass is also two plain matMuls (explicit transposes are cheap copies), so all
 * six matmuls of a dense layer take the wasm backend's XNNPACK path rather than its scalar loop.
 */
const plainMatMul = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, save: (t: tf.Tensor[]) => void) => {
  save(savedFor(x, w));
  return {
    value: tf.matMul(x, w) as tf.Tensor,
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const sx = saved[0] as tf.Tensor2D;
      const sw = weightFor(w, saved, 1);
      return [tf.tidy(() => tf.matMul(dy, tf.transpose(sw))), tf.tidy(() => weightGradient(sx, dy))];
    },
  };
}) as never) as (x: tf.Tensor, w: tf.Tensor) => tf.Tensor2D;

/**
 * x·Wᵀ for a trainable tied head (W = wte, [vocab, width]) with no transposed copy of W kept: the
 * forward's transpose is freed at once, dx is dy·W and dW is dyᵀ·x, both plain matMuls.
 */
const tiedHead = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, save: (t: tf.Tensor[]) => void) => {
  save(savedFor(x, w));
  return {
    value: tf.tidy(() => tf.matMul(x, tf.transpose(w))) as tf.Tensor,
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const sx = saved[0] as tf.Tensor2D;
      const sw = weightFor(w, saved, 1);
      return [tf.matMul(dy, sw), tf.tidy(() => tf.matMul(tf.transpose(dy), sx))];
    },
  };
}) as never) as (x: tf.Tensor, w: tf.Tensor) => tf.Tensor2D;

/**
 * xᵀ·dy, the gradient of W in x·W, with plain matMuls: either x is transposed (xᵀ·dy) or dy is
 * ((dyᵀ·x)ᵀ, whose result is W-sized); whichever of the two row-long tensors is narrower.
 */
function weightGradient(x: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D {
  return x.shape[1] <= dy.shape[1] ? tf.matMul(tf.transpose(x), dy) : (tf.transpose(tf.matMul(tf.transpose(dy), x)) as tf.Tensor2D);
}

/**
 * x·W for a frozen W (the base weights under LoRA): W is closed over rather than an input, so the
 * backward pass computes only dx (one plain matMul) and never a full-size gradient nobody uses.
 * Closing over is safe here because W is a variable that lives for the whole run.
 */
function frozenMatMul(x: tf.Tensor2D, w: tf.Variable): tf.Tensor2D {
  const op = tf.customGrad(((input: tf.Tensor2D, save: (t: tf.Tensor[]) => void) => {
    save([]);
    return { value: tf.matMul(input, w) as tf.Tensor, gradFunc: (dy: tf.Tensor2D) => [tf.matMul(dy, tf.transpose(w))] };
  }) as never) as (input: tf.Tensor) => tf.Tensor2D;
  return op(x);
}

/** x·W, skipping W's gradient when W is frozen. */
const matMulW = (x: tf.Tensor2D, w: tf.Tensor): tf.Tensor2D => (isFrozen(w) ? frozenMatMul(x, w as tf.Variable) : plainMatMul(x, w));

/** x·Wᵀ for a frozen W [out, in] (a tied head): the forward transposes once, the backward is dy·W, a plain matMul. */
function frozenMatMulTransposed(x: tf.Tensor2D, w: tf.Variable): tf.Tensor2D {
  const op = tf.customGrad(((input: tf.Tensor2D, save: (t: tf.Tensor[]) => void) => {
    save([]);
    return { value: tf.tidy(() => tf.matMul(input, tf.transpose(w))) as tf.Tensor, gradFunc: (dy: tf.Tensor2D) => [tf.matMul(dy, w)] };
  }) as never) as (input: tf.Tensor) => tf.Tensor2D;
  return op(x);
}

/**
 * x·W + b: forward one fused matMul (XNNPACK adds the bias on wasm), backward two plain matMuls and
 * a column sum for the bias (tfjs's own bias gradient transposes the whole of dy on wasm first).
 */
const denseWithBias = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: (t: tf.Tensor[]) => void) => {
  save(savedFor(x, w));
  return {
    value: tf.fused.matMul({ a: x, b: w, bias: rank1Bias(b) }) as tf.Tensor,
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const sx = saved[0] as tf.Tensor2D;
      const sw = weightFor(w, saved, 1);
      return [tf.tidy(() => tf.matMul(dy, tf.transpose(sw))), tf.tidy(() => weightGradient(sx, dy)), columnSum(dy)];
    },
  };
}) as never) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

const dense = (x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor) => (isFrozen(w) ? (tf.add(frozenMatMul(x, w as tf.Variable), b) as tf.Tensor2D) : denseWithBias(x, w, b));

/** The named dense layer (its bias when it has one), plus its LoRA adapter when one is attached. */
function layer(p: Params, name: string, x: tf.Tensor2D): tf.Tensor2D {
  const bias = p.get(name + '.bias');
  const out = bias ? dense(x, P(p, name + '.weight'), bias) : matMulW(x, P(p, name + '.weight'));
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
  /**
   * Real tokens per row of a right-padded batch: keys past them are masked out of attention, as
   * transformers' attention_mask does. Needed by an encoder, whose every position sees every other.
   */
  lengths?: Int32Array;
}

/**
 * Hidden states after the final LayerNorm, [batch*time, width]. With a cache, `ids` holds only the
 * new tokens and the cache grows by them.
 */
export function hiddenStates(p: Params, config: GptConfig, ids: tf.Tensor2D, opts: ForwardOptions): tf.Tensor2D {
  const c = shapeOf(config);
  const [B, T] = ids.shape;
  const d = c.width;
  const H = c.heads;
  const KV = c.kvHeads;
  const hd = c.headDim;
  const encoder = isEncoderFamily(c.family);
  // Learned positions, LayerNorm with a bias and a GELU-family MLP: GPT-2 and BERT alike.
  const gpt2 = c.family === 'gpt2' || encoder;
  const past = opts.cache?.length ?? 0;
  if (past + T > c.contextLength) throw new Error(`sequence of ${past + T} tokens exceeds the model's context of ${c.contextLength}`);
  const drop = (x: tf.Tensor, salt: number) =>
    opts.training && c.dropout > 0 ? tf.dropout(x, c.dropout, undefined, ((opts.dropoutSeed ?? 0) * 1000003 + salt) % 2147483647) : x;
  const norm = (x: tf.Tensor2D, name: string) =>
    gpt2 ? layerNorm(x, P(p, name + '.weight'), P(p, name + '.bias'), c.layerNormEps) : rmsNorm(x, P(p, name + '.weight'), c.layerNormEps);

  const flatIds = tf.reshape(ids, [B * T]) as tf.Tensor1D;
  const tok = embed(P(p, 'wte.weight') as tf.Tensor2D, flatIds);
  let h: tf.Tensor2D;
  if (encoder) {
    // Word + position + token type 0 (Weft feeds one segment), then the embedding LayerNorm.
    const pos = encoderPositions(P(p, 'wpe.weight') as tf.Tensor2D, c, B, T, past, opts.lengths);
    const type0 = tf.slice(P(p, 'wtt.weight'), [0, 0], [1, d]);
    const sum = tf.reshape(tf.add(tf.add(tf.reshape(tok, [B, T, d]), pos), type0), [B * T, d]) as tf.Tensor2D;
    h = drop(norm(sum, 'emb_ln'), 1) as tf.Tensor2D;
  } else if (gpt2) {
    // Broadcasting the positions over the batch (rather than tiling them) keeps the backward pass a single sum.
    const pos = tf.slice(P(p, 'wpe.weight'), [past, 0], [T, d]);
    h = drop(tf.reshape(tf.add(tf.reshape(tok, [B, T, d]), pos), [B * T, d]), 1) as tf.Tensor2D;
  } else h = tok;

  const mask = attentionMask(c.causal && T > 1 ? causalMask(T, past) : null, opts.lengths, H, past + T);
  const scale = 1 / Math.sqrt(hd);
  const heads = (x: tf.Tensor2D, n: number) => tf.reshape(tf.transpose(tf.reshape(x, [B, T, n, hd]), [0, 2, 1, 3]), [B * n, T, hd]) as tf.Tensor3D;
  const rope = gpt2 ? null : { ...ropeTables(c, past, T), rot: rotateHalfMatrix(hd) };
  /** Qwen3 normalises each head of q and k before the rotation. */
  const headNorm = (x: tf.Tensor2D, name: string, n: number) => (c.qkNorm ? (tf.reshape(rmsNorm(tf.reshape(x, [B * T * n, hd]) as tf.Tensor2D, P(p, name), c.layerNormEps), [B * T, n * hd]) as tf.Tensor2D) : x);

  for (let i = 0; i < c.layers; i++) {
    const pre = `h.${i}.`;
    // Pre-LN (GPT-2, Llama) normalises each block's input; post-LN (BERT) its output after the residual add.
    const a = encoder ? h : norm(h, pre + 'ln_1');
    let q = heads(headNorm(layer(p, pre + 'attn.q', a), pre + 'attn.q_norm.weight', H), H);
    let k = heads(headNorm(layer(p, pre + 'attn.k', a), pre + 'attn.k_norm.weight', KV), KV);
    let v = heads(layer(p, pre + 'attn.v', a), KV);
    if (rope) {
      q = applyRope(q, rope.cos, rope.sin, rope.rot);
      k = applyRope(k, rope.cos, rope.sin, rope.rot);
    }
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
    const att = drop(attentionSoftmax(batchMatMul(q, repeatKv(k, H / KV), false, true), scale, mask), 10 + i) as tf.Tensor3D;
    const y = tf.reshape(tf.transpose(tf.reshape(batchMatMul(att, repeatKv(v, H / KV)), [B, H, T, hd]), [0, 2, 1, 3]), [B * T, H * hd]) as tf.Tensor2D;
    h = tf.add(h, drop(layer(p, pre + 'attn.c_proj', y), 100 + i)) as tf.Tensor2D;
    if (encoder) h = norm(h, pre + 'ln_1');
    const m = encoder ? h : norm(h, pre + 'ln_2');
    const f = gpt2
      ? layer(p, pre + 'mlp.c_proj', activation(c.activation, layer(p, pre + 'mlp.c_fc', m)) as tf.Tensor2D)
      : layer(p, pre + 'mlp.down', swiglu(layer(p, pre + 'mlp.gate', m), layer(p, pre + 'mlp.up', m)) as tf.Tensor2D);
    h = tf.add(h, drop(f, 200 + i)) as tf.Tensor2D;
    if (encoder) h = norm(h, pre + 'ln_2');
  }
  if (opts.cache) opts.cache.length = past + T;
  return encoder ? h : norm(h, 'ln_f');
}

/**
 * Position embeddings of an encoder's tokens, [T, d] broadcast over the batch or [B, T, d]. RoBERTa
 * numbers real tokens from padding_idx + 1 and gives padding the row padding_idx, as transformers
 * does (from the lengths, for right padding, so no token id is read back from the device).
 */
function encoderPositions(wpe: tf.Tensor2D, c: ModelShape, B: number, T: number, past: number, lengths: Int32Array | undefined): tf.Tensor {
  const d = c.width;
  const offset = c.positionOffset ?? 0;
  if (!offset || !lengths || lengths.every((n) => n >= T)) return tf.slice(wpe, [past + offset, 0], [T, d]);
  const rows = new Int32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) rows[b * T + t] = t < lengths[b]! ? past + t + offset : offset - 1;
  return tf.reshape(embed(wpe, tf.tensor1d(rows, 'int32')), [B, T, d]);
}

/**
 * The additive attention mask: the causal one [T, keys], and/or -1e9 at padded keys per row,
 * [B*heads, 1, keys] (broadcast over queries), or null when every position sees every key.
 */
function attentionMask(causal: tf.Tensor2D | null, lengths: Int32Array | undefined, heads: number, keys: number): tf.Tensor | null {
  if (!lengths || lengths.every((n) => n >= keys)) return causal;
  const data = new Float32Array(lengths.length * heads * keys);
  lengths.forEach((n, b) => {
    for (let h = 0; h < heads; h++) data.fill(-1e9, (b * heads + h) * keys + Math.max(1, n), (b * heads + h + 1) * keys);
  });
  const padding = tf.tensor3d(data, [lengths.length * heads, 1, keys]);
  return causal ? tf.add(causal, padding) : padding;
}

/** [T, past+T] additive mask: 0 where a query may look, -1e9 at future positions. */
function causalMask(T: number, past: number): tf.Tensor2D {
  const data = new Float32Array(T * (past + T));
  for (let i = 0; i < T; i++) for (let j = past + i + 1; j < past + T; j++) data[i * (past + T) + j] = -1e9;
  return tf.tensor2d(data, [T, past + T]);
}

/**
 * Next-token logits (a masked LM's token logits), [rows, vocab]. The tied head multiplies by wte
 * transposed (a copy freed at once). BERT's head first transforms each row (dense, activation, LayerNorm)
 * and adds a bias per token.
 */
export function lmLogits(p: Params, c: GptConfig, hidden: tf.Tensor2D): tf.Tensor2D {
  const encoder = isEncoderFamily(c.family);
  // RoBERTa's head always uses the exact GELU, whatever hidden_act says; BERT's uses hidden_act.
  const headActivation = c.family === 'roberta' ? 'gelu' : shapeOf(c).activation;
  const x = encoder ? layerNorm(activation(headActivation, layer(p, 'mlm.dense', hidden)) as tf.Tensor2D, P(p, 'mlm.ln.weight'), P(p, 'mlm.ln.bias'), c.layerNormEps) : hidden;
  let logits: tf.Tensor2D;
  if (c.tiedEmbeddings) {
    const wte = P(p, 'wte.weight');
    logits = isFrozen(wte) ? frozenMatMulTransposed(x, wte) : tiedHead(x, wte);
  } else logits = matMulW(x, P(p, 'lm_head.weight'));
  return encoder ? (tf.add(logits, P(p, 'mlm.bias')) as tf.Tensor2D) : logits;
}

/**
 * Class logits from the hidden state of each sequence's last real token, as GPT-2's sequence
 * classifier does: with causal attention, padding after that token cannot affect it. The row pick
 * is a one-hot matMul so its gradient works on every backend.
 */
export function classifierLogits(p: Params, c: GptConfig, hidden: tf.Tensor2D, lastIndex: Int32Array, training?: { dropoutSeed: number }): tf.Tensor2D {
  const rows = hidden.shape[0];
  const T = rows / lastIndex.length;
  // BERT pools the first token ([CLS] where the tokenizer adds one) through a dense + tanh pooler.
  const encoder = isEncoderFamily(c.family);
  const at = encoder ? Array.from(lastIndex, (_, b) => b * T) : Array.from(lastIndex, (t, b) => b * T + t);
  // One sequence of one token: that row is the pick (and oneHot refuses a depth of 1).
  const picked = rows === 1 ? hidden : plainMatMul(tf.cast(tf.oneHot(tf.tensor1d(at, 'int32'), rows), 'float32') as tf.Tensor2D, hidden);
  if (encoder) {
    // BertForSequenceClassification drops out the pooled vector while training, at hidden_dropout_prob.
    const pooled = tf.tanh(layer(p, 'pooler', picked)) as tf.Tensor2D;
    const dropped = training && c.dropout > 0 ? (tf.dropout(pooled, c.dropout, undefined, (training.dropoutSeed * 1000003 + 7) % 2147483647) as tf.Tensor2D) : pooled;
    return layer(p, 'score', dropped);
  }
  const pooled = picked;
  const logits = plainMatMul(pooled, P(p, 'score.weight'));
  // Heads saved by Weft before layout 2 had a bias; transformers' heads have none.
  const bias = p.get('score.bias');
  return bias ? (tf.add(logits, bias) as tf.Tensor2D) : logits;
}

/** Adds a freshly initialised classification head (score.weight, no bias, as transformers has it) for `classes` classes. */
export function addClassifierHead(p: Params, c: GptConfig, classes: number, seed: number): void {
  p.get('score.weight')?.dispose();
  p.get('score.bias')?.dispose();
  p.delete('score.bias');
  const rng = new Prng(seed);
  if (isEncoderFamily(c.family)) return addEncoderClassifier(p, shapeOf(c), classes, rng);
  p.set('score.weight', normalVar(rng, [c.width, classes], 0.02));
}

/** Mean token-level cross-entropy, weighted (0 weight = ignored token). */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, weights: tf.Tensor1D): tf.Scalar {
  return weightedCrossEntropy(logits, labels, weights);
}

/**
 * The loss with its gradient written out, (softmax − one-hot)·weight/Σweight per row: autodiff
 * through logSumExp costs a dozen full-size kernels (its max's gradient alone compares every logit).
 */
const weightedCrossEntropy = tf.customGrad(((logits: tf.Tensor2D, labels: tf.Tensor1D, weights: tf.Tensor1D, save: (t: tf.Tensor[]) => void) => {
  const logProbs = tf.sub(logits, tf.logSumExp(logits, 1, true));
  const picked = tf.sum(tf.mul(oneHotFloat(labels, logits.shape[1]), logProbs), 1);
  const total = tf.maximum(tf.sum(weights), 1);
  save([logProbs, labels, weights, total]);
  return {
    value: tf.div(tf.neg(tf.sum(tf.mul(picked, weights))), total) as tf.Tensor,
    gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => {
      const [lp, ids, w, sum] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Scalar];
      const rowScale = tf.reshape(tf.div(tf.mul(w, dy), sum), [-1, 1]);
      return [tf.mul(tf.sub(tf.exp(lp), oneHotFloat(ids, lp.shape[1])), rowScale), tf.zerosLike(ids), tf.zerosLike(w)];
    },
  };
}) as never) as (logits: tf.Tensor, labels: tf.Tensor, weights: tf.Tensor) => tf.Scalar;

export function newCache(): KvCache {
  return { k: [], v: [], length: 0 };
}

export function disposeCache(cache: KvCache): void {
  for (const t of [...cache.k, ...cache.v]) t?.dispose();
  cache.k = [];
  cache.v = [];
  cache.length = 0;
}
