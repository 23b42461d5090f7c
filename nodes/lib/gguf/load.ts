/**
 * Loads a GGUF file back into Weft's model: the configuration from the file's metadata (or a
 * config.json beside it), every tensor dequantized to float32 and returned to its family's
 * checkpoint name and layout, then placed as Weft's parameters.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../backend.ts';
import { readModelConfig } from '../gpt/io.ts';
import { gpt2FusedAttention, tensorPlaces, transpose } from '../gpt/hf-names.ts';
import { newVariable, type Params } from '../gpt/model.ts';
import { shapeOf, type ModelShape } from '../hf-config.ts';
import { MODEL_FAMILIES, type ModelConfig, type ModelFamily } from '../../sdk/index.ts';
import { fromGgufTensor, ggufName } from './tensor-names.ts';
import { readGguf, type GgufFile } from './reader.ts';
import { ggufWeightsOf } from './weights-file.ts';

export { ggufWeightsOf };
import type { GgmlTypeName } from './format.ts';


const FAMILY_OF_ARCH: Record<string, ModelFamily> = { gpt2: 'gpt2', llama: 'llama', qwen2: 'qwen2', qwen3: 'qwen3' };

/** The model configuration a GGUF file's metadata describes (architectures Weft runs only). */
export function configFromGguf(file: GgufFile): ModelConfig {
  const m = file.metadata;
  const arch = String(m['general.architecture']);
  const family = FAMILY_OF_ARCH[arch];
  if (!family || !(MODEL_FAMILIES as readonly string[]).includes(family)) throw new Error(`${file.path}: architecture "${arch}" is not one Weft runs (${Object.keys(FAMILY_OF_ARCH).join(', ')})`);
  const num = (k: string, fallback?: number): number => {
    const v = m[`${arch}.${k}`] ?? fallback;
    if (typeof v !== 'number') throw new Error(`${file.path}: metadata ${arch}.${k} is missing`);
    return v;
  };
  const embd = file.tensors.get('token_embd.weight');
  if (!embd) throw new Error(`${file.path}: no token_embd.weight tensor`);
  const vocabSize = embd.shape[0]!;
  const width = num('embedding_length');
  const heads = num('attention.head_count');
  const tied = !file.tensors.has('output.weight');
  const id = (k: string) => (typeof m[`tokenizer.ggml.${k}`] === 'number' ? (m[`tokenizer.ggml.${k}`] as number) : undefined);
  const ids = { ...(id('bos_token_id') !== undefined ? { bosTokenId: id('bos_token_id') } : {}), ...(id('eos_token_id') !== undefined ? { eosTokenId: id('eos_token_id') } : {}), ...(id('padding_token_id') !== undefined ? { padTokenId: id('padding_token_id') } : {}) };
  const common = { vocabSize, contextLength: num('context_length'), width, layers: num('block_count'), heads, dropout: 0, causal: true, tiedEmbeddings: tied, numClasses: 0, maskTokenId: -1, intermediateSize: num('feed_forward_length') };
  if (family === 'gpt2') return { ...common, family, activation: 'gelu_new', layerNormEps: num('attention.layer_norm_epsilon'), ...ids };
  const blk = (n: string) => file.tensors.has(`blk.0.${n}`);
  const headDim = num('attention.key_length', num('rope.dimension_count', width / heads));
  const scalingType = m[`${arch}.rope.scaling.type`];
  const rope: ModelConfig['rope'] = { theta: num('rope.freq_base', 10000), ...(scalingType === 'linear' ? { scaling: { type: 'linear' as const, factor: num('rope.scaling.factor') } } : {}) };
  if (file.tensors.has('rope_freqs.weight')) throw new Error(`${file.path}: Llama 3 frequency scaling (rope_freqs) cannot be recovered from the file alone; keep the config.json beside it`);
  return {
    ...common,
    family,
    kvHeads: num('attention.head_count_kv', heads),
    headDim,
    activation: 'silu',
    rope,
    qkvBias: blk('attn_q.bias'),
    attnOutputBias: blk('attn_output.bias'),
    mlpBias: blk('ffn_up.bias'),
    qkNorm: blk('attn_q_norm.weight'),
    layerNormEps: num('attention.layer_norm_rms_epsilon'),
    ...ids,
  };
}

export interface LoadedGguf {
  config: ModelConfig;
  params: Params;
  /** The type most matrices are stored in (what the file is "quantized to"). */
  quantization: GgmlTypeName;
  file: GgufFile;
}

/** general.file_type -> the matrices' type. */
const FILE_TYPES: Record<number, GgmlTypeName> = { 0: 'F32', 1: 'F16', 2: 'Q4_0', 7: 'Q8_0', 8: 'Q5_0', 14: 'Q4_K', 15: 'Q4_K', 32: 'BF16' };

/** Loads a GGUF file as Weft parameters; `configDir` names a folder whose config.json wins over the metadata. */
export async function loadGguf(path: string, configDir?: string): Promise<LoadedGguf> {
  const file = await readGguf(path);
  const config = configDir && existsSync(join(configDir, 'config.json')) ? readModelConfig(configDir) : configFromGguf(file);
  const c: ModelShape = shapeOf(config);
  const hf = (hfName: string) => {
    const name = ggufName(c, hfName);
    const info = file.tensors.get(name);
    if (!info) throw new Error(`${path}: tensor "${name}" is missing`);
    return fromGgufTensor(c, hfName, { shape: info.shape, data: file.read(name) });
  };
  const params: Params = new Map();
  const add = (name: string, shape: number[], values: Float32Array) => params.set(name, newVariable(() => tf.tensor(values, shape)));
  try {
    for (const t of tensorPlaces(c)) {
      const { shape, data } = hf(t.disk);
      const want = t.transposed ? [t.shape[1], t.shape[0]] : t.shape;
      if (shape.join(',') !== want.join(',')) throw new Error(`${path}: tensor "${ggufName(c, t.disk)}" has shape [${shape}], the configuration implies [${want}]`);
      add(t.name, t.shape, t.transposed ? transpose(data, t.shape[1]!, t.shape[0]!) : data);
    }
    const d = c.width;
    for (const f of gpt2FusedAttention(c)) {
      const w = hf(f.weight).data; // [d, 3d] after undoing the transpose
      const b = hf(f.bias).data;
      const h = `h.${f.layer}.attn.`;
      ['q', 'k', 'v'].forEach((x, i) => {
        const part = new Float32Array(d * d);
        for (let r = 0; r < d; r++) part.set(w.subarray(r * 3 * d + i * d, r * 3 * d + (i + 1) * d), r * d);
        add(`${h}${x}.weight`, [d, d], part);
        add(`${h}${x}.bias`, [d], b.slice(i * d, (i + 1) * d));
      });
    }
  } catch (e) {
    for (const v of params.values()) v.dispose();
    throw e;
  }
  const ft = file.metadata['general.file_type'];
  const quantization = (typeof ft === 'number' ? FILE_TYPES[ft] : undefined) ?? file.tensors.get('blk.0.ffn_down.weight')?.type ?? 'F32';
  return { config, params, quantization, file };
}

/** The file whose change means new weights: the GGUF file, the shard index, or model.safetensors. */
export function weightsFileOf(dir: string): string {
  const index = join(dir, 'model.safetensors.index.json');
  return ggufWeightsOf(dir) ?? (existsSync(index) ? index : join(dir, 'model.safetensors'));
}
