/**
 * Weight formats of GGUF files, bit-compatible with ggml's reference quantizers
 * (quantize_row_q8_0_ref / q4_0 / q5_0 in ggml-quants.c, mirrored by gguf-py's quants.py; Q4_K in quants-k.ts):
 * every intermediate is rounded to float32 as the C code computes it, and scales are stored as
 * IEEE half floats rounded to nearest-even, so the bytes equal llama.cpp's for the same input.
 */
import { BLOCK, type GgmlTypeName } from './format.ts';
import { fromHalf, toHalf } from './half.ts';
import { dequantizeQ4_K, quantizeQ4_K } from './quants-k.ts';

export { fromHalf, toHalf };

const fr = Math.fround;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** C's roundf: halves away from zero. */
const roundf = (x: number) => Math.sign(x) * Math.floor(Math.abs(x) + 0.5);

function checkBlocks(type: GgmlTypeName, n: number): number {
  const size = BLOCK[type].size;
  if (n % size !== 0) throw new Error(`${type} needs rows that are whole blocks of ${size} values; this one has ${n}`);
  return n / size;
}

/** Q8_0: blocks of 32 as a half scale d = max|x| / 127 and 32 int8 values round(x / d). */
export function quantizeQ8_0(x: Float32Array): Uint8Array {
  const blocks = checkBlocks('Q8_0', x.length);
  const out = new Uint8Array(blocks * 34);
  const view = new DataView(out.buffer);
  for (let b = 0; b < blocks; b++) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b * 32 + j]!));
    const d = fr(amax / 127);
    const id = d ? fr(1 / d) : 0;
    view.setUint16(b * 34, toHalf(d), true);
    for (let j = 0; j < 32; j++) view.setInt8(b * 34 + 2 + j, roundf(fr(x[b * 32 + j]! * id)));
  }
  return out;
}

/** The value of largest magnitude in the block of 32 at `o`, with its sign (the first one on a tie, as ggml). */
function signedMaxOfBlock(x: Float32Array, o: number): number {
  let amax = 0;
  let max = 0;
  for (let j = 0; j < 32; j++) {
    const v = x[o + j]!;
    if (Math.abs(v) > amax) {
      amax = Math.abs(v);
      max = v;
    }
  }
  return max;
}

/**
 * Q4_0: blocks of 32 as a half scale d = m / -8 (m: the value of largest magnitude, with its sign)
 * and 32 nibbles min(15, trunc(x / d + 8.5)); value j in the low nibble of byte j, value j + 16 in its high one.
 */
export function quantizeQ4_0(x: Float32Array): Uint8Array {
  const blocks = checkBlocks('Q4_0', x.length);
  const out = new Uint8Array(blocks * 18);
  const view = new DataView(out.buffer);
  for (let b = 0; b < blocks; b++) {
    const o = b * 32;
    const max = signedMaxOfBlock(x, o);
    const d = fr(max / -8);
    const id = d ? fr(1 / d) : 0;
    view.setUint16(b * 18, toHalf(d), true);
    const q = (v: number) => Math.min(15, Math.trunc(fr(fr(v * id) + 8.5)));
    for (let j = 0; j < 16; j++) out[b * 18 + 2 + j] = q(x[o + j]!) | (q(x[o + 16 + j]!) << 4);
  }
  return out;
}

/**
 * Q5_0: blocks of 32 as a half scale d = m / -16 and 32 five-bit values min(31, trunc(x / d + 16.5)):
 * their low nibbles packed as in Q4_0, their fifth bits in a little-endian u32 (bit j: value j).
 * llama.cpp falls back to it for Q4_K rows that are not whole 256-value super-blocks.
 */
export function quantizeQ5_0(x: Float32Array): Uint8Array {
  const blocks = checkBlocks('Q5_0', x.length);
  const out = new Uint8Array(blocks * 22);
  const view = new DataView(out.buffer);
  for (let b = 0; b < blocks; b++) {
    const o = b * 32;
    const max = signedMaxOfBlock(x, o);
    const d = fr(max / -16);
    const id = d ? fr(1 / d) : 0;
    view.setUint16(b * 22, toHalf(d), true);
    const q = (v: number) => Math.min(31, Math.trunc(fr(fr(v * id) + 16.5)));
    let qh = 0;
    for (let j = 0; j < 16; j++) {
      const lo = q(x[o + j]!);
      const hi = q(x[o + 16 + j]!);
      out[b * 22 + 6 + j] = (lo & 0x0f) | ((hi & 0x0f) << 4);
      qh |= ((lo >> 4) << j) | ((hi >> 4) << (j + 16));
    }
    view.setUint32(b * 22 + 2, qh >>> 0, true);
  }
  return out;
}

export function quantizeF16(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < x.length; i++) view.setUint16(i * 2, toHalf(x[i]!), true);
  return out;
}

/** The bytes of `x` in `type`. */
export function encodeTensor(type: GgmlTypeName, x: Float32Array): Uint8Array {
  switch (type) {
    case 'F32':
      return new Uint8Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength));
    case 'F16':
      return quantizeF16(x);
    case 'Q8_0':
      return quantizeQ8_0(x);
    case 'Q4_0':
      return quantizeQ4_0(x);
    case 'Q5_0':
      return quantizeQ5_0(x);
    case 'Q4_K':
      return quantizeQ4_K(x);
    default:
      throw new Error(`Weft does not write ${type} tensors`);
  }
}

/** Float values of `n` elements stored in `type`. */
export function decodeTensor(type: GgmlTypeName, bytes: Uint8Array, n: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  switch (type) {
    case 'F32':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = fromHalf(view.getUint16(i * 2, true));
      return out;
    case 'BF16':
      for (let i = 0; i < n; i++) {
        u32[0] = view.getUint16(i * 2, true) << 16;
        out[i] = f32[0]!;
      }
      return out;
    case 'Q8_0':
      for (let b = 0; b < n / 32; b++) {
        const d = fromHalf(view.getUint16(b * 34, true));
        for (let j = 0; j < 32; j++) out[b * 32 + j] = d * view.getInt8(b * 34 + 2 + j);
      }
      return out;
    case 'Q4_0':
      for (let b = 0; b < n / 32; b++) {
        const d = fromHalf(view.getUint16(b * 18, true));
        for (let j = 0; j < 16; j++) {
          const byte = bytes[b * 18 + 2 + j]!;
          out[b * 32 + j] = d * ((byte & 0x0f) - 8);
          out[b * 32 + 16 + j] = d * ((byte >> 4) - 8);
        }
      }
      return out;
    case 'Q5_0':
      for (let b = 0; b < n / 32; b++) {
        const d = fromHalf(view.getUint16(b * 22, true));
        const qh = view.getUint32(b * 22 + 2, true);
        for (let j = 0; j < 16; j++) {
          const byte = bytes[b * 22 + 6 + j]!;
          out[b * 32 + j] = d * (((byte & 0x0f) | (((qh >>> j) & 1) << 4)) - 16);
          out[b * 32 + 16 + j] = d * (((byte >> 4) | (((qh >>> (j + 16)) & 1) << 4)) - 16);
        }
      }
      return out;
    case 'Q4_K':
      return dequantizeQ4_K(bytes, n);
  }
}
