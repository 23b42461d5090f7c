/**
 * Model folders in the Hugging Face layout: config.json, the weights (model.safetensors, or shards
 * named by model.safetensors.index.json; F32, F16 or BF16), tokenizer.json, and beside them
 * tokenizer_config.json / generation_config.json when the model has them. Tensor names and layouts
 * are each family's own (hf-names.ts), so transformers loads what Weft writes and the reverse.
 */
import { constants, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../backend.ts';
import { isEncoderFamily, shapeOf, WEFT_LAYOUT } from '../hf-config.ts';
import { maskTokenOf, writeEncoderTokenizerConfig } from './encoder-tokens.ts';
import { encodeSafetensors, SafetensorsFile } from '../safetensors.ts';
import { fromHfConfig, parameterCount, toHfConfig, type GptConfig } from './config.ts';
import { gpt2FusedAttention, tensorPlaces, transpose } from './hf-names.ts';
import { newVariable, type Params } from './model.ts';
import type { ModelHandle } from '../../sdk/index.ts';

export type { ModelHandle };

/** Joins q|k|v column blocks row by row into GPT-2's c_attn layout. */
function joinColumns(parts: Float32Array[], rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols * parts.length);
  for (let r = 0; r < rows; r++) parts.forEach((p, i) => out.set(p.subarray(r * cols, (r + 1) * cols), r * cols * parts.length + i * cols));
  return out;
}

function splitColumns(data: Float32Array, rows: number, cols: number, parts: number): Float32Array[] {
  return Array.from({ length: parts }, (_, i) => {
    const out = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) out.set(data.subarray(r * cols * parts + i * cols, r * cols * parts + (i + 1) * cols), r * cols);
    return out;
  });
}

/** Each family's tensor names and layouts, from the in-memory parameters (adapters excluded). */
export async function exportTensors(params: Params, config: GptConfig): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const c = shapeOf(config);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  const read = async (name: string) => {
    const v = params.get(name);
    if (!v) throw new Error(`model has no parameter "${name}"`);
    return (await v.data()) as Float32Array;
  };
  for (const t of tensorPlaces(c)) {
    const data = await read(t.name);
    out.set(t.disk, t.transposed ? { shape: [t.shape[1]!, t.shape[0]!], data: transpose(data, t.shape[0]!, t.shape[1]!) } : { shape: t.shape, data });
  }
  const d = c.width;
  for (const f of gpt2FusedAttention(c)) {
    const h = `h.${f.layer}.attn.`;
    out.set(f.weight, { shape: [d, 3 * d], data: joinColumns([await read(h + 'q.weight'), await read(h + 'k.weight'), await read(h + 'v.weight')], d, d) });
    out.set(f.bias, { shape: [3 * d], data: joinColumns([await read(h + 'q.bias'), await read(h + 'k.bias'), await read(h + 'v.bias')], 1, d) });
  }
  return out;
}

/** The files a model folder carries beside its weights, copied along when it is re-saved. */
const COMPANION_FILES = ['tokenizer_config.json', 'generation_config.json', 'special_tokens_map.json'];

export async function saveModelFolder(dir: string, params: Params, c: GptConfig, tokenizerPath: string, metadata: Record<string, string> = {}): Promise<ModelHandle> {
  writeFileSync(join(dir, 'config.json'), JSON.stringify(toHfConfig(c), null, 2) + '\n');
  writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(await exportTensors(params, c), { format: 'pt', ...metadata }));
  if (tokenizerPath !== join(dir, 'tokenizer.json')) {
    copyFileSync(tokenizerPath, join(dir, 'tokenizer.json'));
    const from = join(tokenizerPath, '..');
    for (const name of COMPANION_FILES) if (existsSync(join(from, name)) && !existsSync(join(dir, name))) copyFileSync(join(from, name), join(dir, name));
  }
  if (isEncoderFamily(c.family)) writeEncoderTokenizerConfig(dir, c);
  return { kind: 'model', dir, parameters: parameterCount(c), config: c };
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

export function readModelConfig(dir: string): GptConfig {
  const file = join(dir, 'config.json');
  if (!existsSync(file)) throw new Error(`${dir} has no config.json; a model folder needs config.json, model.safetensors and tokenizer.json`);
  const raw = readJson(file);
  const config = fromHfConfig(raw, file);
  // A BERT folder from elsewhere names its mask token in the tokenizer, not in config.json.
  if (!config.causal && config.maskTokenId < 0) config.maskTokenId = maskTokenOf(dir) ?? -1;
  // generation_config.json says where generation ends when config.json does not.
  const gen = join(dir, 'generation_config.json');
  if (config.eosTokenId === undefined && existsSync(gen)) {
    const eos = readJson(gen).eos_token_id;
    const id = Array.isArray(eos) ? eos[0] : eos;
    if (typeof id === 'number') config.eosTokenId = id;
  }
  return config;
}

/** Opens the weight files of a folder: one model.safetensors, or the shards its index names. */
function openWeights(dir: string): { files: SafetensorsFile[]; find(name: string): SafetensorsFile | undefined } {
  const index = join(dir, 'model.safetensors.index.json');
  const single = join(dir, 'model.safetensors');
  const names = existsSync(index)
    ? [...new Set(Object.values(((readJson(index).weight_map ?? {}) as Record<string, string>)))].map((f) => join(dir, f))
    : existsSync(single)
      ? [single]
      : [];
  if (!names.length) throw new Error(`${dir} has no model.safetensors (nor model.safetensors.index.json with shards)`);
  const files: SafetensorsFile[] = [];
  try {
    for (const f of names) {
      if (!existsSync(f)) throw new Error(`${index}: names shard ${f}, which is missing`);
      files.push(new SafetensorsFile(f));
    }
  } catch (e) {
    for (const f of files) f.close();
    throw e;
  }
  return { files, find: (name) => files.find((f) => f.entries.has(name)) };
}

/**
 * Loads weights tensor by tensor (never two copies of the model in memory), after checking that
 * every expected tensor is present with the right shape and a floating-point type.
 */
export function loadModelFolder(dir: string): { config: GptConfig; params: Params } {
  return readModelFolder(dir, true) as { config: GptConfig; params: Params };
}

/** A model folder's config, after checking its weights' names, shapes and types (headers only). */
export function inspectModelFolder(dir: string): GptConfig {
  return readModelFolder(dir, false).config;
}

/** Copies a model folder's files (config, weights or shards, tokenizer and its companions) into `to`. */
export function copyModelFolder(from: string, to: string): void {
  const index = join(from, 'model.safetensors.index.json');
  const weights = existsSync(index) ? ['model.safetensors.index.json', ...new Set(Object.values((readJson(index).weight_map ?? {}) as Record<string, string>))] : ['model.safetensors'];
  for (const name of ['config.json', 'tokenizer.json', ...COMPANION_FILES, ...weights]) {
    if (existsSync(join(from, name))) copyFileSync(join(from, name), join(to, name), constants.COPYFILE_FICLONE);
  }
}

const BASE_PREFIXES = ['transformer.', 'bert.', 'roberta.'];
const withoutBase = (disk: string) => {
  const prefix = BASE_PREFIXES.find((p) => disk.startsWith(p));
  return prefix ? disk.slice(prefix.length) : disk;
};

/**
 * The names a tensor may have in a checkpoint: checkpoints of the bare model (GPT2Model, BertModel)
 * drop the "transformer." / "bert." prefix, and BERT checkpoints converted from TensorFlow call
 * LayerNorm's weight and bias gamma and beta (transformers renames them on load).
 */
function spellings(disk: string): string[] {
  const names = [disk, withoutBase(disk)];
  const old = disk.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta');
  if (old !== disk) names.push(old, withoutBase(old));
  return names;
}

function readModelFolder(dir: string, load: boolean): { config: GptConfig; params?: Params } {
  const config = readModelConfig(dir);
  const c = shapeOf(config);
  const raw = readJson(join(dir, 'config.json'));
  const legacy = ((raw.weft as { layout?: number } | undefined)?.layout ?? (raw.weft ? 1 : WEFT_LAYOUT)) < 2;
  const weights = openWeights(dir);
  const stored = (disk: string) => spellings(disk).find((n) => weights.find(n) !== undefined);
  const has = (disk: string) => stored(disk) !== undefined;
  const where = (disk: string) => {
    const name = stored(disk);
    if (!name) throw new Error(`${dir}: tensor "${disk}" is missing from the weights`);
    const file = weights.find(name)!;
    const e = file.entries.get(name)!;
    if (!['F32', 'F16', 'BF16', 'F64'].includes(e.dtype)) throw new Error(`${file.file}: tensor "${name}" is ${e.dtype}; weights must be floating point`);
    return { file, name, shape: e.shape };
  };
  const d = c.width;
  const places = tensorPlaces(c, legacy, true).filter((t) => !t.optional || has(t.disk));
  const fused = gpt2FusedAttention(c);
  // Check everything before creating any variable.
  for (const t of places) {
    const disk = t.transposed ? [t.shape[1], t.shape[0]] : t.shape;
    const found = where(t.disk);
    if (found.shape.join(',') !== disk.join(',')) throw new Error(`${found.file.file}: tensor "${found.name}" has shape [${found.shape}], config.json implies [${disk}]`);
  }
  for (const f of fused) {
    for (const [name, shape] of [[f.weight, [d, 3 * d]], [f.bias, [3 * d]]] as const) {
      const found = where(name);
      if (found.shape.join(',') !== shape.join(',')) throw new Error(`${found.file.file}: tensor "${found.name}" has shape [${found.shape}], config.json implies [${shape}]`);
    }
  }
  if (!load) {
    for (const f of weights.files) f.close();
    return { config };
  }
  const params: Params = new Map();
  const add = (name: string, shape: number[], values: Float32Array) => {
    params.set(name, newVariable(() => tf.tensor(values, shape)));
  };
  const readF32 = (disk: string) => {
    const { file, name } = where(disk);
    return file.read(name).data as Float32Array;
  };
  try {
    for (const t of places) {
      const data = readF32(t.disk);
      add(t.name, t.shape, t.transposed ? transpose(data, t.shape[1]!, t.shape[0]!) : data);
    }
    for (const f of fused) {
      const h = `h.${f.layer}.attn.`;
      const [qw, kw, vw] = splitColumns(readF32(f.weight), d, d, 3);
      const [qb, kb, vb] = splitColumns(readF32(f.bias), 1, d, 3);
      add(h + 'q.weight', [d, d], qw!);
      add(h + 'k.weight', [d, d], kw!);
      add(h + 'v.weight', [d, d], vw!);
      add(h + 'q.bias', [d], qb!);
      add(h + 'k.bias', [d], kb!);
      add(h + 'v.bias', [d], vb!);
    }
  } catch (e) {
    for (const v of params.values()) v.dispose();
    throw e;
  } finally {
    for (const f of weights.files) f.close();
  }
  return { config, params };
}
