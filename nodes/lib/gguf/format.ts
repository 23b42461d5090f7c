/**
 * The GGUF file format's numbers (version 3, as llama.cpp's ggml/include/gguf.h and gguf-py's
 * constants.py define them): metadata value kinds, tensor types and their block layouts, file types.
 */

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Metadata value kinds (gguf_type). */
export const enum ValueKind {
  U8 = 0,
  I8 = 1,
  U16 = 2,
  I16 = 3,
  U32 = 4,
  I32 = 5,
  F32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  U64 = 10,
  I64 = 11,
  F64 = 12,
}

/** Tensor types Weft writes or reads (ggml_type). */
export const GgmlType = { F32: 0, F16: 1, Q4_0: 2, Q5_0: 6, Q8_0: 8, Q4_K: 12, BF16: 30 } as const;
export type GgmlTypeName = keyof typeof GgmlType;

/** Elements per block and bytes per block of each type (GGML_QUANT_SIZES). */
export const BLOCK: Record<GgmlTypeName, { size: number; bytes: number }> = {
  F32: { size: 1, bytes: 4 },
  F16: { size: 1, bytes: 2 },
  BF16: { size: 1, bytes: 2 },
  Q8_0: { size: 32, bytes: 2 + 32 },
  Q4_0: { size: 32, bytes: 2 + 16 },
  Q5_0: { size: 32, bytes: 2 + 4 + 16 },
  Q4_K: { size: 256, bytes: 2 + 2 + 12 + 128 },
};

export function typeName(id: number): GgmlTypeName {
  const name = (Object.keys(GgmlType) as GgmlTypeName[]).find((k) => GgmlType[k] === id);
  if (!name) throw new Error(`tensor type ${id} is not one Weft reads (it reads ${Object.keys(GgmlType).join(', ')})`);
  return name;
}

/** Bytes a tensor of `elements` values takes in `type` (rows must be whole blocks). */
export function byteSize(type: GgmlTypeName, elements: number): number {
  const b = BLOCK[type];
  return (elements / b.size) * b.bytes;
}

/** general.file_type (llama_ftype): what most of a file's matrices are (Q4_K: LLAMA_FTYPE_MOSTLY_Q4_K_S). */
export const FILE_TYPE: Record<'F32' | 'F16' | 'Q8_0' | 'Q4_0' | 'Q4_K', number> = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 7, Q4_K: 14 };

/** tokenizer.ggml.token_type values (llama_token_type). */
export const TokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;
