/**
 * Generation speed of a model stored as F32, Q8_0, Q4_0 and Q4_K: tokens per second and first-token
 * latency in Weft's own path (Generate's: the GGUF is dequantized to float32 when loaded, so speed
 * should not change with the type) and in llama.cpp (node-llama-cpp's prebuilt CPU build, which
 * computes on the quantized blocks), plus the file sizes and what each type costs in perplexity
 * (Weft's, on the dequantized weights, over a text the model was trained on briefly first so
 * perplexity means something; `steps=0` measures the random model).
 *
 * Run: npx tsx bench/quantize-generation.ts [width=256] [layers=2] [tokens=32] [steps=60]
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../test/helpers.ts';
import { useBestBackend } from '../nodes/lib/backend.ts';
import type { GptConfig } from '../nodes/lib/gpt/config.ts';
import { generate } from '../nodes/lib/gpt/generate.ts';
import { saveModelFolder } from '../nodes/lib/gpt/io.ts';
import { disposeParams, initParams } from '../nodes/lib/gpt/model.ts';
import { writeModelGguf } from '../nodes/lib/gguf/export.ts';
import { writeCompanions } from '../nodes/lib/gguf/folder.ts';
import { llamaCpp } from '../nodes/lib/gguf/test-support.ts';
import { openModelInput } from '../nodes/lib/model-input.ts';
import { MemoryTokens } from '../nodes/lib/token-source.ts';
import { byteLevelBpeJson, writeTokenizer } from '../nodes/lib/tokenizer.ts';
import { trainLanguageModel } from '../nodes/lib/train/lm-trainer.ts';
import { DEFAULT_OPTIMIZER } from '../nodes/lib/train/optimizer.ts';
import { DEFAULT_SCHEDULE } from '../nodes/lib/train/schedule.ts';
import { windowPerplexity } from '../nodes/lib/window-perplexity.ts';

// Width 256 (and an MLP a multiple of 256) so that Q4_K's 256-value super-blocks fit every matrix.
const [width = 256, layers = 2, tokens = 32, steps = 60] = process.argv.slice(2).map(Number);
const backend = await useBestBackend();
const root = tempDir('weft-bench-quant-');
const f32Dir = join(root, 'F32');
mkdirSync(f32Dir);
// No special tokens: generation never stops early at an end-of-sequence token.
writeTokenizer(join(f32Dir, 'tokenizer.json'), byteLevelBpeJson([], []));
const config: GptConfig = {
  family: 'llama', vocabSize: 256, contextLength: 256, width, layers, heads: width / 64, kvHeads: width / 128 || 1, headDim: 64,
  intermediateSize: Math.ceil((width * 8) / 3 / 256) * 256, rope: { theta: 10000 }, dropout: 0, causal: true, tiedEmbeddings: false, layerNormEps: 1e-6, numClasses: 0, maskTokenId: -1,
};
const params = initParams(config, 1);
const text = Int32Array.from(Buffer.from('Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse, and nothing particular to interest me on shore, I thought I would sail about a little and see the watery part of the world. '.repeat(40)));
if (steps > 0) {
  await trainLanguageModel({
    config, params, train: new MemoryTokens(text), objective: 'causal', maskProbability: 0, batchSize: 8, context: 128, steps,
    gradAccum: 1, evalEvery: 0, evalBatches: 0, checkpointEvery: 0, keepCheckpoints: 1, checkpointDir: join(root, '.ckpt'),
    optimizer: DEFAULT_OPTIMIZER, schedule: { ...DEFAULT_SCHEDULE, lr: 3e-3, warmupSteps: 5 }, seed: 1, progress: async () => undefined, log: () => undefined,
  });
}
await saveModelFolder(f32Dir, params, config, join(f32Dir, 'tokenizer.json'));
const files: Record<string, string> = {};
const TYPES = ['Q8_0', 'Q4_0', 'Q4_K'] as const;
for (const type of ['F32', ...TYPES] as const) {
  const dir = join(root, `gguf-${type}`);
  mkdirSync(dir);
  files[type] = join(dir, 'model.gguf');
  await writeModelGguf(params, config, join(f32Dir, 'tokenizer.json'), files[type]!, type);
  writeCompanions(f32Dir, dir, config);
}
disposeParams(params);

const prompt = Array.from(Buffer.from('Call me Ishmael. Some years ago, never mind how long precisely'));
const rows: string[] = [];
const row = (path: string, type: string, file: number, first: number, perSecond: number, perplexity?: number) => {
  console.error(`done: ${path} ${type}`);
  rows.push(`${path.padEnd(10)} ${type.padEnd(5)} ${(file / 1024).toFixed(0).padStart(8)} KiB ${first.toFixed(1).padStart(9)} ms ${perSecond.toFixed(1).padStart(8)} tok/s${perplexity === undefined ? '' : perplexity.toFixed(4).padStart(12)}`);
};

for (const [type, dir] of [['F32', f32Dir], ...TYPES.map((t) => [t, join(root, `gguf-${t}`)] as const)] as const) {
  const m = await openModelInput({ dir });
  const { perplexity } = await windowPerplexity(m.params, m.config, new MemoryTokens(text), 4096, 4, async () => undefined);
  await generate(m.params, m.config, prompt, { maxTokens: 4, temperature: 0, topK: 0, topP: 1, seed: 1 }); // warm-up
  const start = performance.now();
  let first = 0;
  let n = 0;
  await generate(m.params, m.config, prompt, { maxTokens: tokens, temperature: 0, topK: 0, topP: 1, seed: 1 }, () => {
    if (n++ === 0) first = performance.now() - start;
  });
  const total = performance.now() - start;
  m.dispose();
  const size = type === 'F32' ? statSync(join(f32Dir, 'model.safetensors')).size : statSync(files[type]!).size;
  row(`weft`, type, size, first, (n - 1) / ((total - first) / 1000), perplexity);
}

const llama = await llamaCpp();
for (const type of ['F32', ...TYPES] as const) {
  const model = await llama.loadModel({ modelPath: files[type]! });
  const ctx = await model.createContext({ contextSize: 256, threads: 1 }); // one thread: this machine's 2 cores are shared, and spinning threads stall
  for (let round = 0; round < 2; round++) {
    const seq = ctx.getSequence();
    const start = performance.now();
    let first = 0;
    let n = 0;
    for await (const _ of seq.evaluate(prompt as never, { temperature: 0, yieldEogToken: true })) {
      if (n++ === 0) first = performance.now() - start;
      if (n >= tokens) break;
    }
    const total = performance.now() - start;
    if (round === 1) row('llama.cpp', type, statSync(files[type]!).size, first, (n - 1) / ((total - first) / 1000));
    await seq.clearHistory();
    seq.dispose();
  }
  await ctx.dispose();
  await model.dispose();
}
console.log(`llama-family model: width ${width}, ${layers} layers, vocab 256, trained ${steps} steps; ${prompt.length}-token prompt, ${tokens} new tokens, greedy; Weft backend ${backend}`);
console.log('path       type  file size        first token   decode      perplexity (Weft, on the training text)');
for (const r of rows) console.log(r);
