import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.ts';
import { encodeSafetensors, readSafetensors } from './safetensors.ts';

function sample() {
  return new Map([
    ['wte.weight', { shape: [3, 2], data: new Float32Array([1, 2, 3, 4, 5, -6.5]) }],
    ['h.0.ln_1.bias', { shape: [2], data: new Float32Array([0.25, -0]) }],
    ['ids', { shape: [2, 2], data: new Int32Array([7, -1, 0, 2 ** 30]) }],
  ]);
}

/** Builds a file from a header object and a data section, as a hostile writer would. */
function craft(header: unknown, data = Buffer.alloc(0), lengthOverride?: bigint): Buffer {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(lengthOverride ?? BigInt(json.length));
  return Buffer.concat([len, json, data]);
}

describe('safetensors', () => {
  it('round-trips tensors byte for byte', () => {
    const dir = tempDir();
    const bytes = encodeSafetensors(sample(), { format: 'pt' });
    writeFileSync(join(dir, 'a.safetensors'), bytes);
    const { tensors, metadata } = readSafetensors(join(dir, 'a.safetensors'));
    expect(metadata).toEqual({ format: 'pt' });
    expect([...tensors.get('wte.weight')!.data]).toEqual([1, 2, 3, 4, 5, -6.5]);
    expect(tensors.get('ids')!.dtype).toBe('I32');
    expect([...tensors.get('ids')!.data]).toEqual([7, -1, 0, 2 ** 30]);
    const again = encodeSafetensors(new Map([...tensors].map(([k, t]) => [k, { shape: t.shape, data: t.data as Float32Array }])), metadata);
    expect(Buffer.compare(again, bytes)).toBe(0);
    expect(readFileSync(join(dir, 'a.safetensors')).length % 8).toBe(0);
  });

  it('reads F16 and BF16 as float32', () => {
    const dir = tempDir();
    const data = Buffer.alloc(8);
    data.writeUInt16LE(0x3c00, 0); // F16 1.0
    data.writeUInt16LE(0xc000, 2); // F16 -2.0
    data.writeUInt16LE(0x3f80, 4); // BF16 1.0
    data.writeUInt16LE(0x4049, 6); // BF16 ~3.14
    writeFileSync(join(dir, 'h.safetensors'), craft({ a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] }, b: { dtype: 'BF16', shape: [2], data_offsets: [4, 8] } }, data));
    const { tensors } = readSafetensors(join(dir, 'h.safetensors'));
    expect([...tensors.get('a')!.data]).toEqual([1, -2]);
    expect(tensors.get('b')!.data[0]).toBe(1);
    expect(tensors.get('b')!.data[1]).toBeCloseTo(3.140625);
  });

  const f32 = (offsets: [number, number], shape = [2]) => ({ dtype: 'F32', shape, data_offsets: offsets });
  const hostile: Array<[string, Buffer, RegExp]> = [
    ['a file shorter than the length field', Buffer.alloc(5), /too short/],
    ['a header length beyond the file', craft({}, Buffer.alloc(0), 1000n), /claims 1000 bytes/],
    ['a 2 GB header length', craft({}, Buffer.alloc(0), 2n ** 31n), /limit/],
    ['a header that is not JSON', craft('{"a": '), /not valid JSON/],
    ['a header that is a list', craft('[1,2]'), /not a JSON object/],
    ['an unknown dtype', craft({ a: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, Buffer.alloc(1)), /unknown dtype/],
    ['a negative dimension', craft({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, Buffer.alloc(4)), /invalid shape/],
    ['shape and byte length that disagree', craft({ a: f32([0, 4]) }, Buffer.alloc(4)), /= 8 bytes but its offsets span 4/],
    ['a truncated data section', craft({ a: f32([0, 8]) }, Buffer.alloc(6)), /truncated/],
    ['overlapping tensors', craft({ a: f32([0, 8]), b: f32([4, 12]) }, Buffer.alloc(12)), /gap or overlap/],
    ['a gap between tensors', craft({ a: f32([0, 8]), b: f32([12, 20]) }, Buffer.alloc(20)), /gap or overlap/],
    ['trailing bytes after the tensors', craft({ a: f32([0, 8]) }, Buffer.alloc(16)), /cover 8 bytes but the data section has 16/],
    ['reversed offsets', craft({ a: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, Buffer.alloc(8)), /invalid data_offsets/],
    ['a duplicated tensor name', craft('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', Buffer.alloc(8)), /appears twice/],
    ['bad metadata', craft({ __metadata__: { n: 1 } }), /__metadata__/],
    // Used to end in a bare "Maximum call stack size exceeded" from the key scan.
    ['a header nested 100,000 levels deep', craft('{"a":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}'), /nests 100001 levels deep/],
  ];
  it.each(hostile)('rejects %s with a clear error', (_name, bytes, message) => {
    const file = join(tempDir(), 'bad.safetensors');
    writeFileSync(file, bytes);
    expect(() => readSafetensors(file)).toThrow(message);
    expect(() => readSafetensors(file)).toThrow(/bad\.safetensors: not a valid safetensors file/);
  });
});
