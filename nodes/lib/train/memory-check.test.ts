import { describe, expect, it } from 'vitest';
import type { GptConfig } from '../gpt/config.ts';
import { assertFitsBackend } from './memory-check.ts';

const big: GptConfig = { vocabSize: 50257, contextLength: 1024, width: 768, layers: 12, heads: 12, dropout: 0, causal: true, tiedEmbeddings: true, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 };
const small: GptConfig = { ...big, vocabSize: 256, contextLength: 128, width: 128, layers: 4, heads: 4 };

describe('memory check', () => {
  it('refuses a configuration the wasm heap cannot hold, with the estimate and a batch that fits', () => {
    expect(() => assertFitsBackend('wasm', big, 16, 1024, 1)).toThrow(/training needs about \d+\.\d GiB at batch 16, more than the wasm backend's 4 GiB heap allows/);
    expect(() => assertFitsBackend('wasm', { ...big, layers: 4, width: 256, heads: 4 }, 64, 256, 2)).toThrow(/Use batch size \d+ with gradient accumulation \d+ \(the same effective batch\)/);
  });
  it('lets a configuration that fits through, and does not limit other backends', () => {
    expect(() => assertFitsBackend('wasm', small, 16, 128, 1)).not.toThrow();
    expect(() => assertFitsBackend('tensorflow', big, 16, 1024, 1)).not.toThrow();
  });
});
