/**
 * For GGUF tests and the benchmark: models Weft trains itself (byte-level tokenizer, GPT-2 and
 * Llama architectures), Weft's own greedy and top-token predictions, and the same from llama.cpp
 * (node-llama-cpp's prebuilt CPU build, F32 KV cache and no flash attention so that greedy
 * comparisons are exact, as ENVIRONMENT.md explains).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getLlama, type Llama } from 'node-llama-cpp';
import { tf, useBestBackend } from '../backend.ts';
import type { GptConfig } from '../gpt/config.ts';
import { generate } from '../gpt/generate.ts';
import { saveModelFolder } from '../gpt/io.ts';
import { disposeParams, hiddenStates, initParams, lmLogits, type Params } from '../gpt/model.ts';
import { MemoryTokens } from '../token-source.ts';
import { byteLevelBpeJson, EOS, TextTokenizer, writeTokenizer } from '../tokenizer.ts';
import { trainLanguageModel } from '../train/lm-trainer.ts';
import { DEFAULT_OPTIMIZER } from '../train/optimizer.ts';
import { DEFAULT_SCHEDULE } from '../train/schedule.ts';

export const TRAINING_TEXT =
  'Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse, and nothing particular to interest me on shore, I thought I would sail about a little and see the watery part of the world. ';

const CHATML = "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

/**
 * Trains a tiny model on a repeated paragraph and saves it as a model folder: 256 byte tokens plus
 * EOS, embedding rows padded to 288 (as real models pad theirs), a ChatML chat template.
 */
export async function trainTinyModel(dir: string, family: 'gpt2' | 'llama', steps = 40, shape: Partial<Pick<GptConfig, 'width' | 'heads' | 'kvHeads' | 'headDim' | 'intermediateSize' | 'layers'>> = {}): Promise<void> {
  await useBestBackend();
  mkdirSync(dir, { recursive: true });
  writeTokenizer(join(dir, 'tokenizer.json'), byteLevelBpeJson([], [EOS]));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ chat_template: CHATML, eos_token: EOS }));
  const base = { vocabSize: 288, contextLength: 64, width: 64, layers: 2, heads: 2, dropout: 0, causal: true, tiedEmbeddings: family === 'gpt2', layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1, eosTokenId: 256 };
  const config: GptConfig = { ...(family === 'gpt2' ? base : { ...base, family: 'llama', kvHeads: 1, headDim: 32, intermediateSize: 128, rope: { theta: 10000 }, layerNormEps: 1e-6 }), ...shape };
  const tok = TextTokenizer.fromFile(join(dir, 'tokenizer.json'));
  const ids = Int32Array.from(await tok.encode(TRAINING_TEXT.repeat(12)));
  const params = initParams(config, 3);
  try {
    await trainLanguageModel({
      config, params, train: new MemoryTokens(ids), objective: 'causal', maskProbability: 0, batchSize: 8, context: 64, steps,
      gradAccum: 1, evalEvery: 0, evalBatches: 0, checkpointEvery: 0, keepCheckpoints: 1, checkpointDir: join(dir, '.ckpt'),
      optimizer: DEFAULT_OPTIMIZER, schedule: { ...DEFAULT_SCHEDULE, lr: 1e-2, warmupSteps: 5 }, seed: 3, progress: async () => undefined, log: () => undefined,
    });
    await saveModelFolder(dir, params, config, join(dir, 'tokenizer.json'));
  } finally {
    disposeParams(params);
  }
}

/** Weft's most likely next token after each prefix of `ids` (teacher forcing). */
export async function weftTopTokens(params: Params, config: GptConfig, ids: number[]): Promise<number[]> {
  const top = tf.tidy(() => lmLogits(params, config, hiddenStates(params, config, tf.tensor2d(ids, [1, ids.length], 'int32'), { training: false })).argMax(-1));
  const out = Array.from(await top.data());
  top.dispose();
  return out;
}

export async function weftGreedy(params: Params, config: GptConfig, prompt: number[], n: number): Promise<number[]> {
  return generate(params, config, prompt, { maxTokens: n, temperature: 0, topK: 0, topP: 1, seed: 1 });
}

let llama: Promise<Llama> | null = null;
export const llamaCpp = () => (llama ??= getLlama({ gpu: false, build: 'never', logLevel: 'error' as never }));

/** Opens a GGUF file in llama.cpp for exact comparisons (F32 KV cache, no flash attention). */
export async function openInLlamaCpp(path: string) {
  const model = await (await llamaCpp()).loadModel({ modelPath: path });
  const context = () =>
    model.createContext({ contextSize: 128, batchSize: 128, flashAttention: false, experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32' });
  return {
    model,
    /** Greedy continuation of `prompt`. */
    async greedy(prompt: number[], n: number): Promise<number[]> {
      const ctx = await context();
      try {
        const out: number[] = [];
        for await (const t of ctx.getSequence().evaluate(prompt as never, { temperature: 0, yieldEogToken: true })) {
          out.push(t as number);
          if (out.length >= n) break;
        }
        return out;
      } finally {
        await ctx.dispose();
      }
    },
    /** llama.cpp's most likely next token after each prefix of `ids`. */
    async topTokens(ids: number[]): Promise<number[]> {
      const ctx = await context();
      try {
        const res = await ctx.getSequence().controlledEvaluate(ids.map((t) => [t, { generateNext: { token: true, options: { temperature: 0 } } }]) as never);
        return ids.map((_, i) => res[i]?.next?.token as number);
      } finally {
        await ctx.dispose();
      }
    },
    dispose: () => model.dispose(),
  };
}

/** How many positions two predictions agree at. */
export const agreement = (a: number[], b: number[]) => a.filter((t, i) => t === b[i]).length;
