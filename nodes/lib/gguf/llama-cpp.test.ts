/**
 * Proof that real tools read Weft's GGUF files: llama.cpp (through node-llama-cpp) loads each
 * export of every family fixture and of models Weft trains itself, and predicts what Weft and
 * transformers predict; @huggingface/gguf parses every file; Weft loads each back.
 */
import { openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { gguf } from '@huggingface/gguf';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.ts';
import { tf, useBestBackend } from '../backend.ts';
import { loadModelFolder } from '../gpt/io.ts';
import { disposeParams, type Params } from '../gpt/model.ts';
import { shapeOf } from '../hf-config.ts';
import type { ModelConfig } from '../../sdk/index.ts';
import { writeModelGguf, type GgufFileType } from './export.ts';
import { GgmlType } from './format.ts';
import { configFromGguf, loadGguf } from './load.ts';
import { readGguf } from './reader.ts';
import { agreement, openInLlamaCpp, trainTinyModel, weftGreedy, weftTopTokens } from './test-support.ts';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/hf');
const out = tempDir('weft-gguf-');

interface Case {
  name: string;
  dir: string;
  /** Prompt and transformers' greedy continuation (fixtures) or Weft's (its own models). */
  prompt: number[];
  greedy?: number[];
}

const fixtureCases: Case[] = ['llama3-gqa-bf16-sharded', 'mistral', 'qwen2-f16', 'qwen3', 'smollm-tied'].map((name) => {
  const ref = JSON.parse(readFileSync(join(FIXTURES, name, 'reference.json'), 'utf8')) as { input_ids: number[]; greedy: number[] };
  return { name, dir: join(FIXTURES, name), prompt: ref.input_ids, greedy: ref.greedy };
});

/** Flips each Q8_0 block's values end to end in the file: the kind of layout bug the agreement check must catch. */
function breakQ8Blocks(path: string, tensors: Awaited<ReturnType<typeof readGguf>>['tensors']): void {
  const fd = openSync(path, 'r+');
  try {
    for (const t of tensors.values()) {
      if (t.type !== 'Q8_0') continue;
      const bytes = new Uint8Array(readFileSync(path).subarray(t.offset, t.offset + t.bytes));
      for (let b = 0; b < t.bytes / 34; b++) bytes.subarray(b * 34 + 2, b * 34 + 34).reverse();
      writeSync(fd, bytes, 0, bytes.length, t.offset);
    }
  } finally {
    closeSync(fd);
  }
}

async function maxDifference(a: Params, b: Params): Promise<{ exact: boolean; worst: number; worstRelative: number }> {
  let worst = 0;
  let worstRelative = 0;
  let exact = true;
  for (const [name, v] of a) {
    const x = (await v.data()) as Float32Array;
    const y = (await b.get(name)!.data()) as Float32Array;
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < x.length; i++) {
      scale = Math.max(scale, Math.abs(x[i]!));
      diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
      if (x[i] !== y[i]) exact = false;
    }
    worst = Math.max(worst, diff);
    worstRelative = Math.max(worstRelative, scale ? diff / scale : 0);
  }
  return { exact, worst, worstRelative };
}

async function checkModel(c: Case, quantizedBars: { q8: number; q4Weft: number }) {
  const { config, params } = loadModelFolder(c.dir);
  try {
    const tokenizer = join(c.dir, 'tokenizer.json');
    const full = [...c.prompt, ...(c.greedy ?? (await weftGreedy(params, config, c.prompt, 8)))];
    const weftTop = (await weftTopTokens(params, config, full)).slice(0, -1);
    const positions = weftTop.length;
    const paths = {} as Record<GgufFileType, string>;
    for (const type of ['F32', 'F16', 'Q8_0', 'Q4_0'] as const) {
      paths[type] = join(out, `${c.name}-${type}.gguf`);
      await writeModelGguf(params, config, tokenizer, paths[type], type, { name: c.name });

      // @huggingface/gguf reads it, with the metadata llama.cpp needs.
      const parsed = await gguf(paths[type], { allowLocalFile: true });
      const m = parsed.metadata as unknown as Record<string, unknown>;
      const arch = config.family === 'mistral' ? 'llama' : (config.family ?? 'gpt2');
      expect(m['general.architecture']).toBe(arch);
      expect((m['tokenizer.ggml.tokens'] as string[]).length).toBe(config.vocabSize);
      expect(m['tokenizer.ggml.pre']).toBe('gpt-2');
      expect(typeof m['tokenizer.chat_template']).toBe('string');
      expect(Number(m[`${arch}.block_count`])).toBe(config.layers);
      const down = parsed.tensorInfos.find((t) => t.name === 'blk.0.ffn_down.weight')!;
      expect(down.dtype).toBe(type === 'Q4_0' ? GgmlType.Q4_0 : GgmlType[type]);
      expect(parsed.tensorInfos.some((t) => t.name === 'output.weight')).toBe(!config.tiedEmbeddings);
    }

    // F32 and F16: llama.cpp's greedy tokens equal Weft's and transformers' exactly.
    for (const type of ['F32', 'F16'] as const) {
      const lc = await openInLlamaCpp(paths[type]);
      try {
        expect(await lc.greedy(c.prompt, full.length - c.prompt.length), `${c.name} ${type}`).toEqual(full.slice(c.prompt.length));
      } finally {
        await lc.dispose();
      }
    }

    // Q8_0: llama.cpp also rounds activations to 8 bits, so it is judged by top-token agreement.
    const q8 = await openInLlamaCpp(paths.Q8_0);
    const q8Agree = agreement((await q8.topTokens(full)).slice(0, -1), weftTop);
    await q8.dispose();
    expect(q8Agree, `${c.name} Q8_0: ${q8Agree}/${positions}`).toBeGreaterThanOrEqual(Math.ceil(quantizedBars.q8 * positions));

    // Q4_0: llama.cpp must predict what Weft predicts with the same 4-bit weights (read back from the file).
    const q4w = await loadGguf(paths.Q4_0, c.dir);
    const q4WeftTop = (await weftTopTokens(q4w.params, config, full)).slice(0, -1);
    const q4 = await openInLlamaCpp(paths.Q4_0);
    const q4Top = (await q4.topTokens(full)).slice(0, -1);
    await q4.dispose();
    const q4Agree = agreement(q4Top, q4WeftTop);
    console.log(`${c.name}: Q8_0 agrees with F32 at ${q8Agree}/${positions}; Q4_0 with Weft's Q4_0 at ${q4Agree}/${positions}, with F32 at ${agreement(q4Top, weftTop)}/${positions}`);
    expect(q4Agree, `${c.name} Q4_0`).toBeGreaterThanOrEqual(Math.ceil(quantizedBars.q4Weft * positions));

    // Round trips: F32 gives back the same weights exactly, the block formats within their step.
    const f32 = await loadGguf(paths.F32, c.dir);
    expect((await maxDifference(params, f32.params)).exact).toBe(true);
    const q8back = await loadGguf(paths.Q8_0, c.dir);
    expect((await maxDifference(params, q8back.params)).worstRelative).toBeLessThan(0.56 / 127 + 1e-3); // F16 fallbacks are finer still
    expect((await maxDifference(params, q4w.params)).worstRelative).toBeLessThan(1.01 / 8);
    for (const l of [f32, q8back, q4w]) disposeParams(l.params);
    return { paths, full, weftTop, positions, config };
  } finally {
    disposeParams(params);
  }
}

beforeAll(async () => {
  await useBestBackend();
});

describe('GGUF export read by llama.cpp', () => {
  it.each(fixtureCases)('$name: F32/F16 give transformers\' greedy tokens, Q8_0/Q4_0 agree, every file parses and loads back', async (c) => {
    await checkModel(c, { q8: 0.8, q4Weft: 0.8 });
  }, 600_000);

  it('GPT-2 with ReLU is refused with the reason (llama.cpp\'s gpt2 computes GELU)', () => {
    const { config, params } = loadModelFolder(join(FIXTURES, 'gpt2-relu'));
    disposeParams(params);
    return expect(writeModelGguf(new Map(), config, join(FIXTURES, 'gpt2-relu', 'tokenizer.json'), join(out, 'x.gguf'), 'F32')).rejects.toThrow(/gpt2 architecture computes GELU.*"relu"/);
  });

  describe.each(['gpt2', 'llama'] as const)('a %s model Weft trained (byte-level tokenizer)', (family) => {
    const dir = join(out, `trained-${family}`);
    let result: Awaited<ReturnType<typeof checkModel>>;
    it('exports: llama.cpp gives Weft\'s greedy tokens (F32, F16), Q8_0 and Q4_0 agree', async () => {
      await trainTinyModel(dir, family);
      const prompt = Array.from(Buffer.from('Call me Ishmael. Some years'));
      result = await checkModel({ name: `trained-${family}`, dir, prompt }, { q8: 0.9, q4Weft: 0.8 });
    }, 600_000);

    it('a broken Q8_0 quantizer (values reversed in each block) fails the agreement check', async () => {
      const path = join(out, `trained-${family}-broken.gguf`);
      const good = readFileSync(result.paths.Q8_0);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(path, good);
      breakQ8Blocks(path, (await readGguf(path)).tensors);
      const lc = await openInLlamaCpp(path);
      const broken = agreement((await lc.topTokens(result.full)).slice(0, -1), result.weftTop);
      await lc.dispose();
      expect(broken, `broken Q8_0 agrees at ${broken}/${result.positions}`).toBeLessThan(0.5 * result.positions);
    }, 600_000);

    it('its metadata alone gives back its configuration', async () => {
      const fromFile = configFromGguf(await readGguf(result.paths.F16));
      const want = shapeOf(result.config);
      const got = shapeOf(fromFile as ModelConfig);
      for (const k of ['family', 'vocabSize', 'contextLength', 'width', 'layers', 'heads', 'kvHeads', 'headDim', 'intermediateSize', 'tiedEmbeddings', 'qkvBias', 'mlpBias', 'eosTokenId'] as const) expect(got[k], k).toEqual(want[k]);
      expect(got.layerNormEps).toBeCloseTo(want.layerNormEps, 9);
    });
  });

  it('keeps tensors flat: loading and running GGUF weights leaks nothing', async () => {
    const c = fixtureCases[1]!;
    const path = join(out, `${c.name}-Q8_0.gguf`);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) {
      const l = await loadGguf(path, c.dir);
      await weftTopTokens(l.params, l.config, c.prompt);
      disposeParams(l.params);
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});

