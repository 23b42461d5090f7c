/**
 * Where each of Weft's parameters lives in a family's Hugging Face checkpoint: its tensor name
 * there, and whether it is stored transposed. Weft keeps every matrix [in, out] (a plain matMul);
 * torch.nn.Linear stores [out, in], GPT-2's Conv1D [in, out].
 */
import { isEncoderFamily, type ModelShape } from '../hf-config.ts';

export interface TensorPlace {
  /** Weft's name. */
  name: string;
  /** Weft's shape. */
  shape: number[];
  /** The checkpoint's name. */
  disk: string;
  /** Stored [out, in] on disk. */
  transposed: boolean;
  /** Read when the checkpoint has it (BERT's pooler beside a masked-LM head), never required. */
  optional?: boolean;
}

const place = (name: string, shape: number[], disk: string, transposed = false): TensorPlace => ({ name, shape, disk, transposed });

/**
 * BERT and RoBERTa: embeddings (words, positions, token types, then a LayerNorm), post-LN layers,
 * the masked-LM head (dense, activation, LayerNorm, the decoder tied to the word embeddings plus a
 * bias) or, for a classifier, the pooler (dense + tanh on the first token) and the classifier.
 * RoBERTa's classification head is the same computation under other names (classifier.dense,
 * classifier.out_proj) and has no pooler in the encoder.
 */
function encoderPlaces(c: ModelShape, loading: boolean): TensorPlace[] {
  const d = c.width;
  const I = c.intermediateSize;
  const roberta = c.family === 'roberta';
  const m = roberta ? 'roberta.' : 'bert.';
  const e = m + 'embeddings.';
  const out: TensorPlace[] = [
    place('wte.weight', [c.vocabSize, d], e + 'word_embeddings.weight'),
    place('wpe.weight', [c.contextLength + (c.positionOffset ?? 0), d], e + 'position_embeddings.weight'),
    place('wtt.weight', [c.typeVocabSize ?? 2, d], e + 'token_type_embeddings.weight'),
    place('emb_ln.weight', [d], e + 'LayerNorm.weight'),
    place('emb_ln.bias', [d], e + 'LayerNorm.bias'),
  ];
  for (let i = 0; i < c.layers; i++) {
    const h = `h.${i}.`;
    const l = `${m}encoder.layer.${i}.`;
    for (const [x, disk] of [['q', 'query'], ['k', 'key'], ['v', 'value']] as const) {
      out.push(place(`${h}attn.${x}.weight`, [d, d], `${l}attention.self.${disk}.weight`, true), place(`${h}attn.${x}.bias`, [d], `${l}attention.self.${disk}.bias`));
    }
    out.push(place(h + 'attn.c_proj.weight', [d, d], l + 'attention.output.dense.weight', true), place(h + 'attn.c_proj.bias', [d], l + 'attention.output.dense.bias'));
    out.push(place(h + 'ln_1.weight', [d], l + 'attention.output.LayerNorm.weight'), place(h + 'ln_1.bias', [d], l + 'attention.output.LayerNorm.bias'));
    out.push(place(h + 'mlp.c_fc.weight', [d, I], l + 'intermediate.dense.weight', true), place(h + 'mlp.c_fc.bias', [I], l + 'intermediate.dense.bias'));
    out.push(place(h + 'mlp.c_proj.weight', [I, d], l + 'output.dense.weight', true), place(h + 'mlp.c_proj.bias', [d], l + 'output.dense.bias'));
    out.push(place(h + 'ln_2.weight', [d], l + 'output.LayerNorm.weight'), place(h + 'ln_2.bias', [d], l + 'output.LayerNorm.bias'));
  }
  if (c.numClasses) {
    const pooler = roberta ? 'classifier.dense.' : m + 'pooler.dense.';
    const score = roberta ? 'classifier.out_proj.' : 'classifier.';
    out.push(place('pooler.weight', [d, d], pooler + 'weight', true), place('pooler.bias', [d], pooler + 'bias'));
    out.push(place('score.weight', [d, c.numClasses], score + 'weight', true), place('score.bias', [c.numClasses], score + 'bias'));
    return out;
  }
  const head = roberta ? 'lm_head.' : 'cls.predictions.';
  const transform = roberta ? 'lm_head.' : 'cls.predictions.transform.';
  out.push(place('mlm.dense.weight', [d, d], transform + 'dense.weight', true), place('mlm.dense.bias', [d], transform + 'dense.bias'));
  const norm = transform + (roberta ? 'layer_norm.' : 'LayerNorm.');
  out.push(place('mlm.ln.weight', [d], norm + 'weight'), place('mlm.ln.bias', [d], norm + 'bias'));
  if (c.tiedEmbeddings) out.push(place('mlm.bias', [c.vocabSize], head + 'bias'));
  else {
    // Untied, the decoder's own bias is the one applied; the head's `bias` (tied to it otherwise) is saved beside it, equal.
    out.push(place('lm_head.weight', [d, c.vocabSize], head + 'decoder.weight', true), place('mlm.bias', [c.vocabSize], head + 'decoder.bias'));
    if (!loading) out.push(place('mlm.bias', [c.vocabSize], head + 'bias'));
  }
  // A pre-training checkpoint (BertForPreTraining, as bert-base ships) also has the pooler: kept if there.
  if (loading && !roberta) out.push({ ...place('pooler.weight', [d, d], m + 'pooler.dense.weight', true), optional: true }, { ...place('pooler.bias', [d], m + 'pooler.dense.bias'), optional: true });
  return out;
}

/**
 * Every tensor of a model in the Llama family, or of GPT-2 apart from its fused attention (c_attn
 * holds q|k|v; io.ts splits and joins it). `legacyLayout`: a folder Weft wrote before layout 2
 * (untied GPT-2 heads [d, V], classifier heads [d, C] with a bias).
 */
export function tensorPlaces(c: ModelShape, legacyLayout = false, loading = false): TensorPlace[] {
  if (isEncoderFamily(c.family)) return encoderPlaces(c, loading);
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
