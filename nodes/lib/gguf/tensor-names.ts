/**
 * Hugging Face checkpoint tensors <-> llama.cpp's GGUF tensors, per family, as llama.cpp's
 * convert_hf_to_gguf.py maps them: names (tensor_mapping.py), GPT-2's Conv1D matrices transposed
 * to [out, in], and for architecture "llama" (Llama and Mistral) the rows of q and k permuted from
 * Hugging Face's rotate-half layout to llama.cpp's interleaved pairs (LlamaModel.permute).
 */
import type { ModelShape } from '../hf-config.ts';

export interface NamedTensor {
  /** Row-major, outermost dimension first (torch's order). */
  shape: number[];
  data: Float32Array;
}

/** The llama.cpp architecture a family is written as. */
export function ggufArchitecture(c: ModelShape): 'gpt2' | 'llama' | 'qwen2' | 'qwen3' {
  // Encoders never get here (export refuses non-causal models first); the check keeps the type exact.
  if (c.family === 'bert' || c.family === 'roberta') throw new Error(`GGUF export covers decoders, not the ${c.family} encoder`);
  return c.family === 'mistral' ? 'llama' : c.family;
}

const LLAMA_RULES: Array<[RegExp, string]> = [
  [/^model\.embed_tokens\.weight$/, 'token_embd.weight'],
  [/^model\.norm\.weight$/, 'output_norm.weight'],
  [/^lm_head\.weight$/, 'output.weight'],
  [/^model\.layers\.(\d+)\.input_layernorm\.weight$/, 'blk.$1.attn_norm.weight'],
  [/^model\.layers\.(\d+)\.post_attention_layernorm\.weight$/, 'blk.$1.ffn_norm.weight'],
  [/^model\.layers\.(\d+)\.self_attn\.([qkv])_proj\.(weight|bias)$/, 'blk.$1.attn_$2.$3'],
  [/^model\.layers\.(\d+)\.self_attn\.o_proj\.(weight|bias)$/, 'blk.$1.attn_output.$2'],
  [/^model\.layers\.(\d+)\.self_attn\.([qk])_norm\.weight$/, 'blk.$1.attn_$2_norm.weight'],
  [/^model\.layers\.(\d+)\.mlp\.(gate|up|down)_proj\.(weight|bias)$/, 'blk.$1.ffn_$2.$3'],
];

const GPT2_RULES: Array<[RegExp, string]> = [
  [/^transformer\.wte\.weight$/, 'token_embd.weight'],
  [/^transformer\.wpe\.weight$/, 'position_embd.weight'],
  [/^transformer\.ln_f\.(weight|bias)$/, 'output_norm.$1'],
  [/^lm_head\.weight$/, 'output.weight'],
  [/^transformer\.h\.(\d+)\.ln_1\.(weight|bias)$/, 'blk.$1.attn_norm.$2'],
  [/^transformer\.h\.(\d+)\.ln_2\.(weight|bias)$/, 'blk.$1.ffn_norm.$2'],
  [/^transformer\.h\.(\d+)\.attn\.c_attn\.(weight|bias)$/, 'blk.$1.attn_qkv.$2'],
  [/^transformer\.h\.(\d+)\.attn\.c_proj\.(weight|bias)$/, 'blk.$1.attn_output.$2'],
  [/^transformer\.h\.(\d+)\.mlp\.c_fc\.(weight|bias)$/, 'blk.$1.ffn_up.$2'],
  [/^transformer\.h\.(\d+)\.mlp\.c_proj\.(weight|bias)$/, 'blk.$1.ffn_down.$2'],
];

/** GPT-2's Conv1D matrices, stored [in, out] by transformers and [out, in] by llama.cpp. */
const GPT2_CONV1D = /^transformer\.h\.\d+\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$/;

export function ggufName(c: ModelShape, hfName: string): string {
  for (const [re, to] of c.family === 'gpt2' ? GPT2_RULES : LLAMA_RULES) if (re.test(hfName)) return hfName.replace(re, to);
  throw new Error(`tensor "${hfName}" has no GGUF name for family ${c.family}`);
}

function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) out[k * rows + r] = data[r * cols + k]!;
  return out;
}

/**
 * Reorders the rows of a q or k projection ([heads * headDim, ...]): within each head, row
 * s * headDim/2 + j (s = 0, 1: the rotate-half halves) goes to 2j + s. `inverse` undoes it.
 */
export function permuteRope(data: Float32Array, rows: number, heads: number, inverse = false): Float32Array {
  const cols = data.length / rows;
  const hd = rows / heads;
  const half = hd / 2;
  const out = new Float32Array(data.length);
  for (let h = 0; h < heads; h++) {
    for (let s = 0; s < 2; s++) {
      for (let j = 0; j < half; j++) {
        const hf = h * hd + s * half + j;
        const gg = h * hd + 2 * j + s;
        const [from, to] = inverse ? [gg, hf] : [hf, gg];
        out.set(data.subarray(from * cols, (from + 1) * cols), to * cols);
      }
    }
  }
  return out;
}

function ropePermutation(c: ModelShape, hfName: string): number | null {
  if (ggufArchitecture(c) !== 'llama') return null;
  if (/self_attn\.q_proj\.(weight|bias)$/.test(hfName)) return c.heads;
  if (/self_attn\.k_proj\.(weight|bias)$/.test(hfName)) return c.kvHeads;
  return null;
}

/** A checkpoint tensor as llama.cpp stores it. */
export function toGgufTensor(c: ModelShape, hfName: string, t: NamedTensor): NamedTensor & { name: string } {
  let { shape, data } = t;
  if (c.family === 'gpt2' && GPT2_CONV1D.test(hfName)) {
    data = transpose2d(data, shape[0]!, shape[1]!);
    shape = [shape[1]!, shape[0]!];
  }
  const heads = ropePermutation(c, hfName);
  if (heads) data = permuteRope(data, shape[0]!, heads);
  return { name: ggufName(c, hfName), shape, data };
}

/** The inverse of toGgufTensor: a GGUF tensor back in the checkpoint's name and layout. */
export function fromGgufTensor(c: ModelShape, hfName: string, t: NamedTensor): NamedTensor {
  let { shape, data } = t;
  const heads = ropePermutation(c, hfName);
  if (heads) data = permuteRope(data, shape[0]!, heads, true);
  if (c.family === 'gpt2' && GPT2_CONV1D.test(hfName)) {
    data = transpose2d(data, shape[0]!, shape[1]!);
    shape = [shape[1]!, shape[0]!];
  }
  return { shape, data };
}

/**
 * Llama 3's frequency scaling as llama.cpp takes it: a rope_freqs tensor of per-pair factors
 * (convert_hf_to_gguf.py's LlamaModel.generate_extra_tensors), not metadata keys.
 */
export function llama3RopeFactors(c: ModelShape): Float32Array | null {
  const s = c.rope?.scaling;
  if (!s || s.type !== 'llama3') return null;
  const dim = c.headDim;
  const out = new Float32Array(dim / 2);
  const lowWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositions / s.highFreqFactor;
  for (let i = 0; i < dim / 2; i++) {
    const freq = Math.fround(1 / Math.fround(c.rope!.theta ** Math.fround((2 * i) / dim)));
    const wavelen = (2 * Math.PI) / freq;
    if (wavelen < highWavelen) out[i] = 1;
    else if (wavelen > lowWavelen) out[i] = s.factor;
    else {
      const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
      out[i] = 1 / ((1 - smooth) / s.factor + smooth);
    }
  }
  return out;
}
