/**
 * Where each of Weft's parameters lives in a family's Hugging Face checkpoint: its tensor name
 * there, and whether it is stored transposed. Weft keeps every matrix [in, out] (a plain matMul);
 * torch.nn.Linear stores [out, in], GPT-2's Conv1D [in, out].
 */
import type { ModelShape } from '../hf-config.ts';

export interface TensorPlace {
  /** Weft's name. */
  name: string;
  /** Weft's shape. */
  shape: number[];
  /** The checkpoint's name. */
  disk: string;
  /** Stored [out, in] on disk. */
  transposed: boolean;
}

const place = (name: string, shape: number[], disk: string, transposed = false): TensorPlace => ({ name, shape, disk, transposed });

/**
 * Every tensor of a model in the Llama family, or of GPT-2 apart from its fused attention (c_attn
 * holds q|k|v; io.ts splits and joins it). `legacyLayout`: a folder Weft wrote before layout 2
 * (untied GPT-2 heads [d, V], classifier heads [d, C] with a bias).
 */
export function tensorPlaces(c: ModelShape, legacyLayout = false): TensorPlace[] {
  const d = c.width;
  const q = c.heads * c.headDim;
  const kv = c.kvHeads * c.headDim;
  const I = c.intermediateSize;
  const out: TensorPlace[] = [];
  if (c.family === 'gpt2') {
    const t = 'transformer.';
    out.push(place('wte.weight', [c.vocabSize, d], t + 'wte.weight'), place('wpe.weight', [c.contextLength, d], t + 'wpe.weight'));
    for (let i = 0; i < c.layers; i++) {
      const h = `h.${i}.`;
      for (const n of ['ln_1.weight', 'ln_1.bias', 'ln_2.weight', 'ln_2.bias', 'attn.c_proj.bias', 'mlp.c_proj.bias']) out.push(place(h + n, [d], t + h + n));
      out.push(place(h + 'attn.c_proj.weight', [d, d], t + h + 'attn.c_proj.weight'));
      out.push(place(h + 'mlp.c_fc.weight', [d, I], t + h + 'mlp.c_fc.weight'), place(h + 'mlp.c_fc.bias', [I], t + h + 'mlp.c_fc.bias'));
      out.push(place(h + 'mlp.c_proj.weight', [I, d], t + h + 'mlp.c_proj.weight'));
    }
    out.push(place('ln_f.weight', [d], t + 'ln_f.weight'), place('ln_f.bias', [d], t + 'ln_f.bias'));
  } else {
    const m = 'model.';
    out.push(place('wte.weight', [c.vocabSize, d], m + 'embed_tokens.weight'));
    for (let i = 0; i < c.layers; i++) {
      const h = `h.${i}.`;
      const l = `${m}layers.${i}.`;
      out.push(place(h + 'ln_1.weight', [d], l + 'input_layernorm.weight'), place(h + 'ln_2.weight', [d], l + 'post_attention_layernorm.weight'));
      for (const [x, size] of [['q', q], ['k', kv], ['v', kv]] as const) {
        out.push(place(`${h}attn.${x}.weight`, [d, size], `${l}self_attn.${x}_proj.weight`, true));
        if (c.qkvBias) out.push(place(`${h}attn.${x}.bias`, [size], `${l}self_attn.${x}_proj.bias`));
      }
      if (c.qkNorm) out.push(place(h + 'attn.q_norm.weight', [c.headDim], l + 'self_attn.q_norm.weight'), place(h + 'attn.k_norm.weight', [c.headDim], l + 'self_attn.k_norm.weight'));
      out.push(place(h + 'attn.c_proj.weight', [q, d], l + 'self_attn.o_proj.weight', true));
      if (c.attnOutputBias) out.push(place(h + 'attn.c_proj.bias', [d], l + 'self_attn.o_proj.bias'));
      out.push(place(h + 'mlp.gate.weight', [d, I], l + 'mlp.gate_proj.weight', true), place(h + 'mlp.up.weight', [d, I], l + 'mlp.up_proj.weight', true));
      out.push(place(h + 'mlp.down.weight', [I, d], l + 'mlp.down_proj.weight', true));
      if (c.mlpBias) {
        out.push(place(h + 'mlp.gate.bias', [I], l + 'mlp.gate_proj.bias'), place(h + 'mlp.up.bias', [I], l + 'mlp.up_proj.bias'));
        out.push(place(h + 'mlp.down.bias', [d], l + 'mlp.down_proj.bias'));
      }
    }
    out.push(place('ln_f.weight', [d], m + 'norm.weight'));
  }
  if (!c.tiedEmbeddings && !c.numClasses) out.push(place('lm_head.weight', [d, c.vocabSize], 'lm_head.weight', !(legacyLayout && c.family === 'gpt2')));
  if (c.numClasses) {
    out.push(place('score.weight', [d, c.numClasses], 'score.weight', !legacyLayout));
    if (legacyLayout) out.push(place('score.bias', [c.numClasses], 'score.bias'));
  }
  return out;
}

/** GPT-2's fused attention, per layer: c_attn [d, 3d] (Conv1D, not transposed) holding q|k|v. */
export function gpt2FusedAttention(c: ModelShape): Array<{ layer: number; weight: string; bias: string }> {
  return Array.from({ length: c.family === 'gpt2' ? c.layers : 0 }, (_, i) => ({
    layer: i,
    weight: `transformer.h.${i}.attn.c_attn.weight`,
    bias: `transformer.h.${i}.attn.c_attn.bias`,
  }));
}

/** A [rows, cols] matrix as [cols, rows]: between Weft's [in, out] and a checkpoint's [out, in]. */
export function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}
