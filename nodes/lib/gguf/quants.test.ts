import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeTensor, encodeTensor, fromHalf, toHalf } from './quants.ts';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/gguf');
const input = new Float32Array(new Uint8Array(readFileSync(join(FIXTURES, 'quant-input.f32'))).buffer);
const expected = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, `quant-expected.${name}`)));

describe('GGUF weight formats', () => {
  // Fixtures: the `gguf` Python package (llama.cpp's writer) quantized the same values (make_quant_fixtures.py).
  it.each([
    ['F16', 'f16'],
    ['Q8_0', 'q8_0'],
    ['Q4_0', 'q4_0'],
  ] as const)('%s bytes equal the gguf package\'s, including zero blocks, halfway points, subnormal scales and overflow', (type, file) => {
    const ours = encodeTensor(type, input);
    const theirs = expected(file);
    expect(ours.length).toBe(theirs.length);
    const firstDiff = ours.findIndex((b, i) => b !== theirs[i]);
    expect(firstDiff).toBe(-1);
  });

  // Q4_K: llama.cpp's compiled quantize_row_q4_K_ref made the bytes; the gguf package dequantized
  // them and quantized Q5_0 (make_q4k_fixtures.py), on super-blocks chosen to reach every branch.
  const inputK = new Float32Array(new Uint8Array(readFileSync(join(FIXTURES, 'quant-input.q4_k.f32'))).buffer);
  it.each([
    ['Q4_K', 'q4_k'],
    ['Q5_0', 'q5_0'],
  ] as const)('%s bytes equal llama.cpp\'s reference quantizer\'s: varied sub-block scales, zero, all-positive, constant, subnormal and large super-blocks', (type, file) => {
    const ours = encodeTensor(type, inputK);
    const theirs = expected(file);
    expect(ours.length).toBe(theirs.length);
    const firstDiff = ours.findIndex((b, i) => b !== theirs[i]);
    expect(firstDiff, `first differing byte ${firstDiff} (super-block ${Math.floor(firstDiff / 144)})`).toBe(-1);
  });

  it('Q4_K decodes as the gguf package dequantizes it, and within a sub-block step of the input', () => {
    const bytes = expected('q4_k');
    const ours = decodeTensor('Q4_K', bytes, inputK.length);
    const theirs = new Float32Array(new Uint8Array(readFileSync(join(FIXTURES, 'quant-dequant.q4_k'))).buffer);
    expect(Array.from(ours)).toEqual(Array.from(theirs));
    // Trained-like weights (the first 12 super-blocks): every value within one 4-bit step of its sub-block's range.
    for (let s = 0; s < 12 * 8; s++) {
      const sub = inputK.subarray(s * 32, s * 32 + 32);
      const step = (Math.max(...sub) - Math.min(0, ...sub)) / 15;
      for (let j = 0; j < 32; j++) expect(Math.abs(ours[s * 32 + j]! - sub[j]!)).toBeLessThanOrEqual(step);
    }
  });

  it('half floats round to nearest even and come back exactly', () => {
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(-2)).toBe(0xc000);
    expect(toHalf(65504)).toBe(0x7bff);
    expect(toHalf(70000)).toBe(0x7c00);
    expect(toHalf(2 ** -24)).toBe(1);
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to the even mantissa
    expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    for (let h = 0; h < 0x7c00; h += 37) expect(toHalf(fromHalf(h))).toBe(h);
  });

  it('round trips: F32 exactly, Q8_0 within half a step (plus the half-float rounding of its scale), Q4_0 within one step (its clipped top level)', () => {
    const normal = input.subarray(0, 32 * 48);
    expect(decodeTensor('F32', encodeTensor('F32', normal), normal.length)).toEqual(normal);
    for (const [type, levels] of [['Q8_0', 127], ['Q4_0', 8]] as const) {
      const back = decodeTensor(type, encodeTensor(type, normal), normal.length);
      for (let b = 0; b < normal.length / 32; b++) {
        const block = normal.subarray(b * 32, b * 32 + 32);
        const step = Math.max(...block.map(Math.abs)) / levels;
        for (let j = 0; j < 32; j++) expect(Math.abs(back[b * 32 + j]! - block[j]!)).toBeLessThanOrEqual(step * (type === 'Q4_0' ? 1.01 : 0.56));
      }
    }
  });

  it('refuses rows that are not whole blocks', () => {
    expect(() => encodeTensor('Q8_0', new Float32Array(48))).toThrow(/whole blocks of 32 values; this one has 48/);
    expect(() => encodeTensor('Q4_K', new Float32Array(320))).toThrow(/whole super-blocks of 256 values; this one has 320/);
  });
});
