/**
 * Reads GGUF files: metadata and tensor infos through @huggingface/gguf, tensor bytes and their
 * dequantization (F32, F16, BF16, Q8_0, Q4_0, Q5_0, Q4_K) here.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { gguf } from '@huggingface/gguf';
import { BLOCK, byteSize, typeName, type GgmlTypeName } from './format.ts';
import { decodeTensor } from './quants.ts';

export interface GgufTensorInfo {
  name: string;
  /** Outermost dimension first (torch's order; ggml lists them the other way round). */
  shape: number[];
  type: GgmlTypeName;
  /** Absolute byte offset in the file. */
  offset: number;
  bytes: number;
}

export interface GgufFile {
  path: string;
  metadata: Record<string, unknown>;
  tensors: Map<string, GgufTensorInfo>;
  /** The tensor's raw bytes as stored. */
  raw(name: string): Uint8Array;
  /** The tensor's values as float32 (dequantized). */
  read(name: string): Float32Array;
}

const plain = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : Array.isArray(v) ? v.map(plain) : v);

export async function readGguf(path: string): Promise<GgufFile> {
  let parsed: Awaited<ReturnType<typeof gguf>>;
  try {
    parsed = await gguf(path, { allowLocalFile: true });
  } catch (e) {
    throw new Error(`${path}: not a readable GGUF file (${(e as Error).message})`);
  }
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parsed.metadata)) metadata[k] = plain(v);
  const base = Number(parsed.tensorDataOffset);
  const tensors = new Map<string, GgufTensorInfo>();
  for (const t of parsed.tensorInfos) {
    let type: GgmlTypeName;
    try {
      type = typeName(t.dtype);
    } catch (e) {
      throw new Error(`${path}: tensor "${t.name}": ${(e as Error).message}`);
    }
    const shape = t.shape.map(Number).reverse();
    const elements = shape.reduce((a, b) => a * b, 1);
    if (shape[shape.length - 1]! % BLOCK[type].size) throw new Error(`${path}: tensor "${t.name}" rows of ${shape[shape.length - 1]} are not whole ${type} blocks`);
    tensors.set(t.name, { name: t.name, shape, type, offset: base + Number(t.offset), bytes: byteSize(type, elements) });
  }
  const raw = (name: string): Uint8Array => {
    const t = tensors.get(name);
    if (!t) throw new Error(`${path}: no tensor "${name}"`);
    const out = new Uint8Array(t.bytes);
    const fd = openSync(path, 'r');
    try {
      const got = readSync(fd, out, 0, t.bytes, t.offset);
      if (got !== t.bytes) throw new Error(`${path}: tensor "${name}" is truncated (${got} of ${t.bytes} bytes)`);
    } finally {
      closeSync(fd);
    }
    return out;
  };
  const read = (name: string): Float32Array => {
    const t = tensors.get(name)!;
    return decodeTensor(t.type, raw(name), t.shape.reduce((a, b) => a * b, 1));
  };
  return { path, metadata, tensors, raw, read };
}
