/**
 * safetensors reading and writing (https://github.com/huggingface/safetensors format): an 8-byte
 * little-endian header length, a JSON header, then raw little-endian tensor bytes. Reading checks
 * everything before allocating tensors, so a truncated or hostile file gets a clear error.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { visit } from 'jsonc-parser';

export type Dtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';
const DTYPE_BYTES: Record<Dtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
/** A real header for a big model is a few hundred kB; 100 MB is the reference implementation's cap. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface TensorEntry {
  dtype: Dtype;
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

export class SafetensorsError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: not a valid safetensors file: ${message}`);
    this.name = 'SafetensorsError';
  }
}

export interface HeaderEntry {
  dtype: Dtype;
  shape: number[];
  data_offsets: [number, number];
}

/** How deep brackets nest, outside strings; iterative, so a hostile header cannot overflow the stack. */
function nestingDepth(json: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}

function duplicateTopLevelKey(json: string): string | null {
  const seen = new Set<string>();
  let dup: string | null = null;
  visit(json, {
    onObjectProperty(name, _o, _l, _sl, _sc, pathSupplier) {
      if (pathSupplier().length === 0) {
        if (seen.has(name)) dup ??= name;
        seen.add(name);
      }
    },
  });
  return dup;
}

/** Parses and checks the header only. */
export function readHeader(file: string, fd: number, fileSize: number): { entries: Map<string, HeaderEntry>; metadata: Record<string, string>; dataStart: number } {
  const fail = (m: string) => new SafetensorsError(file, m);
  if (fileSize < 8) throw fail(`the file is ${fileSize} bytes, too short for a header`);
  const lenBuf = Buffer.alloc(8);
  readSync(fd, lenBuf, 0, 8, 0);
  const headerLen = Number(lenBuf.readBigUInt64LE(0));
  if (headerLen > MAX_HEADER_BYTES) throw fail(`the header claims ${headerLen} bytes (limit ${MAX_HEADER_BYTES})`);
  if (8 + headerLen > fileSize) throw fail(`the header claims ${headerLen} bytes but the file has only ${fileSize - 8} after the length`);
  const headerBuf = Buffer.alloc(headerLen);
  readSync(fd, headerBuf, 0, headerLen, 8);
  const text = headerBuf.toString('utf8');
  // A real header nests three levels ({name: {shape: [...]}}); the key scan below recurses per level.
  const depth = nestingDepth(text);
  if (depth > 16) throw fail(`the header nests ${depth} levels deep (a safetensors header has 3)`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw fail('the header is not valid JSON');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw fail('the header is not a JSON object');
  const dup = duplicateTopLevelKey(text);
  if (dup) throw fail(`the tensor name "${dup}" appears twice`);
  const dataStart = 8 + headerLen;
  const dataLen = fileSize - dataStart;
  const entries = new Map<string, HeaderEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (!value || typeof value !== 'object' || Object.values(value).some((v) => typeof v !== 'string')) throw fail('__metadata__ must map strings to strings');
      metadata = value as Record<string, string>;
      continue;
    }
    const e = value as Partial<HeaderEntry>;
    if (!e || typeof e !== 'object') throw fail(`tensor "${name}" has no description`);
    if (typeof e.dtype !== 'string' || !(e.dtype in DTYPE_BYTES)) throw fail(`tensor "${name}" has unknown dtype ${JSON.stringify(e.dtype)}`);
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw fail(`tensor "${name}" has an invalid shape`);
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0) || offs[0]! > offs[1]!) {
      throw fail(`tensor "${name}" has invalid data_offsets`);
    }
    const expected = e.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[e.dtype as Dtype];
    if (offs[1]! - offs[0]! !== expected) throw fail(`tensor "${name}" has shape [${e.shape}] ${e.dtype} = ${expected} bytes but its offsets span ${offs[1]! - offs[0]!}`);
    if (offs[1]! > dataLen) throw fail(`tensor "${name}" ends at byte ${offs[1]} but the data section has ${dataLen} bytes (truncated file?)`);
    entries.set(name, { dtype: e.dtype as Dtype, shape: e.shape, data_offsets: offs as [number, number] });
  }
  // Offsets must tile the data section exactly: sorted, contiguous, no overlap, nothing left over.
  const sorted = [...entries.entries()].sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
  let cursor = 0;
  for (const [name, e] of sorted) {
    if (e.data_offsets[0] !== cursor) throw fail(`tensor "${name}" starts at byte ${e.data_offsets[0]}, expected ${cursor} (gap or overlap)`);
    cursor = e.data_offsets[1];
  }
  if (cursor !== dataLen) throw fail(`the tensors cover ${cursor} bytes but the data section has ${dataLen}`);
  return { entries, metadata, dataStart };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function decode(dtype: Dtype, bytes: Buffer): TensorEntry['data'] {
  const n = bytes.length / DTYPE_BYTES[dtype];
  switch (dtype) {
    case 'F32':
      return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    case 'F64': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = bytes.readDoubleLE(i * 8);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(bytes.readUInt16LE(i * 2));
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(n);
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) u[i] = bytes.readUInt16LE(i * 2) << 16;
      return out;
    }
    case 'I64': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(bytes.readBigInt64LE(i * 8));
      return out;
    }
    case 'I32':
      return new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    case 'I16': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = bytes.readInt16LE(i * 2);
      return out;
    }
    case 'I8': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = bytes.readInt8(i);
      return out;
    }
    case 'U8':
    case 'BOOL':
      return new Uint8Array(bytes);
  }
}

/**
 * An open safetensors file whose tensors are read one at a time, so that loading a model never
 * holds more than one tensor's bytes outside the tensor engine.
 */
export class SafetensorsFile {
  private readonly fd: number;
  readonly entries: Map<string, HeaderEntry>;
  private readonly dataStart: number;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'r');
    try {
      const header = readHeader(file, this.fd, fstatSync(this.fd).size);
      this.entries = header.entries;
      this.dataStart = header.dataStart;
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  read(name: string): TensorEntry {
    const e = this.entries.get(name);
    if (!e) throw new Error(`${this.file}: no tensor "${name}"`);
    const len = e.data_offsets[1] - e.data_offsets[0];
    const buf = Buffer.alloc(len);
    if (len) readSync(this.fd, buf, 0, len, this.dataStart + e.data_offsets[0]);
    return { dtype: e.dtype, shape: e.shape, data: decode(e.dtype, buf) };
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Reads every tensor of a safetensors file, after checking the whole header. */
export function readSafetensors(file: string): { tensors: Map<string, TensorEntry>; metadata: Record<string, string> } {
  const fd = openSync(file, 'r');
  try {
    const { entries, metadata, dataStart } = readHeader(file, fd, fstatSync(fd).size);
    const tensors = new Map<string, TensorEntry>();
    for (const [name, e] of entries) {
      const len = e.data_offsets[1] - e.data_offsets[0];
      const buf = Buffer.alloc(len);
      if (len) readSync(fd, buf, 0, len, dataStart + e.data_offsets[0]);
      tensors.set(name, { dtype: e.dtype, shape: e.shape, data: decode(e.dtype, buf) });
    }
    return { tensors, metadata };
  } finally {
    closeSync(fd);
  }
}

/** Serialises F32/I32 tensors, names sorted, header padded to 8 bytes as the reference writer does. */
export function encodeSafetensors(tensors: ReadonlyMap<string, { shape: number[]; data: Float32Array | Int32Array }>, metadata: Record<string, string> = {}): Buffer {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const bytes = t.data.length * 4;
    header[name] = { dtype: t.data instanceof Int32Array ? 'I32' : 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors.get(name)!;
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(out, pos);
    pos += t.data.byteLength;
  }
  return out;
}
