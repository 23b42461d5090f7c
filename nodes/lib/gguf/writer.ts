/**
 * Writes GGUF v3 files: header, typed metadata, tensor infos, then each tensor's bytes at an offset
 * aligned to general.alignment (32). Tensors are encoded one at a time while the file is written,
 * so only one tensor's bytes are in memory at once.
 */
import { closeSync, openSync, renameSync, writeSync, fsyncSync, rmSync } from 'node:fs';
import { byteSize, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION, GgmlType, ValueKind, type GgmlTypeName } from './format.ts';
import { encodeTensor } from './quants.ts';

/** A metadata value with its GGUF kind. */
export type MetaValue =
  | { kind: 'u32' | 'i32' | 'f32' | 'u64'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'strings'; value: string[] }
  | { kind: 'i32s' | 'f32s'; value: ArrayLike<number> };

export const meta = {
  u32: (value: number): MetaValue => ({ kind: 'u32', value }),
  i32: (value: number): MetaValue => ({ kind: 'i32', value }),
  f32: (value: number): MetaValue => ({ kind: 'f32', value }),
  u64: (value: number): MetaValue => ({ kind: 'u64', value }),
  bool: (value: boolean): MetaValue => ({ kind: 'bool', value }),
  str: (value: string): MetaValue => ({ kind: 'string', value }),
  strs: (value: string[]): MetaValue => ({ kind: 'strings', value }),
  i32s: (value: ArrayLike<number>): MetaValue => ({ kind: 'i32s', value }),
  f32s: (value: ArrayLike<number>): MetaValue => ({ kind: 'f32s', value }),
};

/** A tensor to write: its values in row-major order of `shape` (outermost first, as numpy/torch). */
export interface TensorToWrite {
  name: string;
  shape: number[];
  type: GgmlTypeName;
  /** Produces the float values when the tensor is written (lazily, to keep memory flat). */
  values: () => Float32Array | Promise<Float32Array>;
}

/** A growable little-endian byte buffer for the header. */
class Bytes {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private room(n: number) {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number) { this.room(1); this.view.setUint8(this.length, v); this.length += 1; }
  u32(v: number) { this.room(4); this.view.setUint32(this.length, v, true); this.length += 4; }
  i32(v: number) { this.room(4); this.view.setInt32(this.length, v, true); this.length += 4; }
  f32(v: number) { this.room(4); this.view.setFloat32(this.length, v, true); this.length += 4; }
  u64(v: number | bigint) { this.room(8); this.view.setBigUint64(this.length, BigInt(v), true); this.length += 8; }
  str(s: string) {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  pad(align: number) { while (this.length % align) this.u8(0); }
  bytes(): Uint8Array { return this.buf.subarray(0, this.length); }
}

function writeValue(out: Bytes, v: MetaValue): void {
  switch (v.kind) {
    case 'u32': out.u32(ValueKind.U32); out.u32(v.value); return;
    case 'i32': out.u32(ValueKind.I32); out.i32(v.value); return;
    case 'f32': out.u32(ValueKind.F32); out.f32(v.value); return;
    case 'u64': out.u32(ValueKind.U64); out.u64(v.value); return;
    case 'bool': out.u32(ValueKind.BOOL); out.u8(v.value ? 1 : 0); return;
    case 'string': out.u32(ValueKind.STRING); out.str(v.value); return;
    case 'strings':
      out.u32(ValueKind.ARRAY); out.u32(ValueKind.STRING); out.u64(v.value.length);
      for (const s of v.value) out.str(s);
      return;
    case 'i32s':
      out.u32(ValueKind.ARRAY); out.u32(ValueKind.I32); out.u64(v.value.length);
      for (let i = 0; i < v.value.length; i++) out.i32(v.value[i]!);
      return;
    case 'f32s':
      out.u32(ValueKind.ARRAY); out.u32(ValueKind.F32); out.u64(v.value.length);
      for (let i = 0; i < v.value.length; i++) out.f32(v.value[i]!);
      return;
  }
}

export interface WriteOptions {
  signal?: AbortSignal;
  /** Called after each tensor is written. */
  onTensor?: (done: number, total: number, name: string) => void | Promise<void>;
}

/**
 * Writes a GGUF file atomically (a temporary file beside it, renamed when complete) and returns its
 * size in bytes. Metadata keys are written in the order given.
 */
export async function writeGguf(path: string, metadata: Array<[string, MetaValue]>, tensors: TensorToWrite[], opts: WriteOptions = {}): Promise<number> {
  const align = GGUF_DEFAULT_ALIGNMENT;
  const head = new Bytes();
  head.u32(GGUF_MAGIC);
  head.u32(GGUF_VERSION);
  head.u64(tensors.length);
  head.u64(metadata.length);
  for (const [key, value] of metadata) {
    head.str(key);
    writeValue(head, value);
  }
  let offset = 0;
  const sizes: number[] = [];
  for (const t of tensors) {
    const elements = t.shape.reduce((a, b) => a * b, 1);
    const size = byteSize(t.type, elements);
    if (!Number.isInteger(size)) throw new Error(`tensor "${t.name}": ${elements} values are not whole ${t.type} blocks`);
    head.str(t.name);
    head.u32(t.shape.length);
    // ggml lists dimensions innermost first (ne[0] is the row length).
    for (let i = t.shape.length - 1; i >= 0; i--) head.u64(t.shape[i]!);
    head.u32(GgmlType[t.type]);
    head.u64(offset);
    sizes.push(size);
    offset += Math.ceil(size / align) * align;
  }
  head.pad(align);
  const tmp = `${path}.partial`;
  const fd = openSync(tmp, 'w');
  let total = 0;
  try {
    writeSync(fd, head.bytes());
    total += head.length;
    const zeros = new Uint8Array(align);
    for (let i = 0; i < tensors.length; i++) {
      opts.signal?.throwIfAborted();
      const t = tensors[i]!;
      const values = await t.values();
      const elements = t.shape.reduce((a, b) => a * b, 1);
      if (values.length !== elements) throw new Error(`tensor "${t.name}": ${values.length} values for shape [${t.shape}]`);
      const bytes = encodeTensor(t.type, values);
      if (bytes.length !== sizes[i]) throw new Error(`tensor "${t.name}": encoded ${bytes.length} bytes, expected ${sizes[i]}`);
      writeSync(fd, bytes);
      const pad = (align - (bytes.length % align)) % align;
      if (pad) writeSync(fd, zeros, 0, pad);
      total += bytes.length + pad;
      await opts.onTensor?.(i + 1, tensors.length, t.name);
    }
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  return total;
}
