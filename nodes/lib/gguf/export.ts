/**
 * A Weft model as one GGUF file llama.cpp, Ollama and LM Studio run: weights in the chosen type,
 * architecture metadata, and the tokenizer with its chat template.
 *
 * Which tensors are quantized follows llama.cpp's converter (convert_hf_to_gguf.py,
 * ModelBase.prepare_tensors): vectors (norms, biases) and GPT-2's position embeddings stay F32;
 * every other matrix, the token embedding included, takes the file's type, falling back to F16 when
 * its rows are not whole blocks. For Q4_0 and Q4_K the output matrix (output.weight, or the token
 * embedding when the head is tied to it) is written Q8_0, as llama-quantize keeps the output at
 * higher precision (it uses Q6_K, which Weft does not write). Q4_K needs rows of whole 256-value
 * super-blocks; other rows fall back to Q5_0 as llama-quantize does (llama-quant.cpp), and to F16
 * when they are not whole 32-value blocks either.
 */
import type { Params } from '../gpt/model.ts';
import { exportTensors } from '../gpt/io.ts';
import { shapeOf, type ModelShape } from '../hf-config.ts';
import type { ModelConfig } from '../../sdk/index.ts';
import { BLOCK, FILE_TYPE, type GgmlTypeName } from './format.ts';
import { ggufArchitecture, llama3RopeFactors, toGgufTensor } from './tensor-names.ts';
import { embeddedVocab, vocabProblem, type EmbeddedVocab } from './vocab.ts';
import { meta, writeGguf, type MetaValue, type TensorToWrite, type WriteOptions } from './writer.ts';

export const GGUF_TYPES = ['F32', 'F16', 'Q8_0', 'Q4_0', 'Q4_K'] as const;
export type GgufFileType = (typeof GGUF_TYPES)[number];

/** GPT-2 activations llama.cpp's gpt2 graph computes (it hard-codes tanh-approximated GELU). */
const LLAMA_CPP_GPT2_ACTIVATIONS = ['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast'];

/** Why llama.cpp could not run this model as Weft does, or null. Light: validation may call it. */
export function ggufProblem(config: ModelConfig): string | null {
  const c = shapeOf(config);
  if (!c.causal) return 'GGUF export needs a decoder (causal language model); llama.cpp does not run encoders Weft trains';
  if (c.numClasses) return 'GGUF export needs a language model; this one has a classification head, which llama.cpp does not run';
  if (c.family === 'gpt2' && !LLAMA_CPP_GPT2_ACTIVATIONS.includes(c.activation)) {
    return `llama.cpp's gpt2 architecture computes GELU (tanh) in the MLP; this model uses "${c.activation}", which it would run wrongly`;
  }
  return null;
}

export { vocabProblem };

export interface GgufWriteResult {
  path: string;
  bytes: number;
  tensors: number;
  /** How many tensors were written in each type. */
  typeCounts: Partial<Record<GgmlTypeName, number>>;
  vocab: EmbeddedVocab;
  architecture: string;
}

function tensorType(c: ModelShape, name: string, shape: number[], file: GgufFileType): GgmlTypeName {
  if (shape.length < 2 || name.endsWith('_norm.weight') || !name.endsWith('.weight') || name === 'position_embd.weight') return 'F32';
  let type: GgmlTypeName = file;
  const isOutput = name === 'output.weight' || (c.tiedEmbeddings && name === 'token_embd.weight');
  if ((file === 'Q4_0' || file === 'Q4_K') && isOutput) type = 'Q8_0';
  const row = shape[shape.length - 1]!;
  if (type === 'Q4_K' && row % BLOCK.Q4_K.size !== 0) type = 'Q5_0';
  if (row % BLOCK[type].size !== 0) type = 'F16';
  return type;
}

function architectureMetadata(c: ModelShape): Array<[string, MetaValue]> {
  const a = ggufArchitecture(c);
  const out: Array<[string, MetaValue]> = [
    [`${a}.context_length`, meta.u32(c.contextLength)],
    [`${a}.embedding_length`, meta.u32(c.width)],
    [`${a}.feed_forward_length`, meta.u32(c.intermediateSize)],
    [`${a}.block_count`, meta.u32(c.layers)],
    [`${a}.attention.head_count`, meta.u32(c.heads)],
  ];
  if (c.family === 'gpt2') {
    out.push([`${a}.attention.layer_norm_epsilon`, meta.f32(c.layerNormEps)]);
    return out;
  }
  const rope = c.rope ?? { theta: 10000 };
  out.push(
    [`${a}.attention.head_count_kv`, meta.u32(c.kvHeads)],
    [`${a}.attention.layer_norm_rms_epsilon`, meta.f32(c.layerNormEps)],
    [`${a}.rope.freq_base`, meta.f32(rope.theta)],
    [`${a}.rope.dimension_count`, meta.u32(c.headDim)],
    [`${a}.attention.key_length`, meta.u32(c.headDim)],
    [`${a}.attention.value_length`, meta.u32(c.headDim)],
    [`${a}.vocab_size`, meta.u32(c.vocabSize)],
  );
  if (rope.scaling?.type === 'linear') out.push([`${a}.rope.scaling.type`, meta.str('linear')], [`${a}.rope.scaling.factor`, meta.f32(rope.scaling.factor)]);
  return out;
}

export interface GgufWriteOptions extends WriteOptions {
  /** general.name. */
  name?: string;
}

/** Writes `params` as a GGUF file of `type` at `path` with the tokenizer at `tokenizerPath` embedded. */
export async function writeModelGguf(params: Params, config: ModelConfig, tokenizerPath: string, path: string, type: GgufFileType, opts: GgufWriteOptions = {}): Promise<GgufWriteResult> {
  const problem = ggufProblem(config);
  if (problem) throw new Error(problem);
  const c = shapeOf(config);
  const vocab = embeddedVocab(tokenizerPath, c);
  const hf = await exportTensors(params, config);
  const tensors: TensorToWrite[] = [];
  const typeCounts: Partial<Record<GgmlTypeName, number>> = {};
  for (const [hfName, t] of hf) {
    const g = toGgufTensor(c, hfName, t);
    hf.delete(hfName); // keep one copy of each tensor
    const tt = tensorType(c, g.name, g.shape, type);
    typeCounts[tt] = (typeCounts[tt] ?? 0) + 1;
    tensors.push({ name: g.name, shape: g.shape, type: tt, values: () => g.data });
  }
  const factors = llama3RopeFactors(c);
  if (factors) {
    tensors.push({ name: 'rope_freqs.weight', shape: [factors.length], type: 'F32', values: () => factors });
    typeCounts.F32 = (typeCounts.F32 ?? 0) + 1;
  }
  const architecture = ggufArchitecture(c);
  const metadata: Array<[string, MetaValue]> = [
    ['general.architecture', meta.str(architecture)],
    ['general.type', meta.str('model')],
    ['general.name', meta.str(opts.name ?? 'weft-model')],
    ['general.file_type', meta.u32(FILE_TYPE[type])],
    ['general.quantization_version', meta.u32(2)],
    ...architectureMetadata(c),
    ...vocab.metadata,
  ];
  const bytes = await writeGguf(path, metadata, tensors, opts);
  return { path, bytes, tensors: tensors.length, typeCounts, vocab, architecture };
}
