/**
 * Training throughput of the fixed reference GPT (vocab 256, context 128, width 128, 4 layers,
 * 4 heads, batch 16) on the best available tfjs backend, and in the same run the PyTorch reference
 * (../shared/bench/torch_gpt_reference.py) on the same CPU. Prints both and the ratio.
 *   npx tsx bench/train-throughput.ts [--steps 8] [--profile] [--backend auto|tensorflow|webgpu|wasm|cpu|all]
 *     [--family gpt2|llama] [--preset reference|124m] [--batch N] [--reference cpu|cuda|none] [--json FILE]
 * --family llama: the same size in the Llama family (RMSNorm, RoPE, SwiGLU, grouped-query attention:
 * 4 heads, 2 key/value heads, MLP 352), against bench/torch_reference.py's Llama on the same CPU.
 * --preset 124m: GPT-2 small's shape (vocab 50257, context 1024, width 768, 12 layers, 12 heads, batch 4).
 * --reference cuda: PyTorch on a CUDA GPU (python3 on PATH, or WEFT_TORCH_PYTHON) for the GPU check
 * (bench/gpu-check.sh); --json appends one line with every figure (tokens/s, ratio, peak memory).
 * --backend all measures each rung this machine offers, each in its own process (WebGPU needs
 * Vulkan's environment from the start: src-main/engine/worker/vulkan-env.ts), then PyTorch once;
 * WEFT_WEBGPU_SWIFTSHADER=1 lets webgpu run on SwiftShader where there is no GPU.
 * PyTorch comes from Debian: apt-get install -y python3-torch libopenblas0-pthread.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { tf, useDevice } from '../nodes/lib/backend.ts';
import { describeDevice } from '../nodes/sdk/index.ts';
import { vulkanSetup } from '../src-main/engine/worker/vulkan-env.ts';
import type { GptConfig } from '../nodes/lib/gpt/config.ts';
import { crossEntropy, hiddenStates, initParams, lmLogits } from '../nodes/lib/gpt/model.ts';
import { DEFAULT_OPTIMIZER, Optimizer } from '../nodes/lib/train/optimizer.ts';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '8' },
    profile: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'auto' },
    'no-reference': { type: 'boolean', default: false },
    family: { type: 'string', default: 'gpt2' },
    preset: { type: 'string', default: 'reference' },
    batch: { type: 'string' },
    reference: { type: 'string', default: 'cpu' },
    json: { type: 'string' },
  },
});
const RUNGS = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
if (args.backend !== 'auto' && args.backend !== 'all' && !(RUNGS as readonly string[]).includes(args.backend)) throw new Error(`--backend ${args.backend}: choose auto, all, ${RUNGS.join(', ')}`);
const STEPS = Number(args.steps);
if (args.family !== 'gpt2' && args.family !== 'llama') throw new Error(`--family ${args.family}: choose gpt2 or llama`);
if (args.preset !== 'reference' && args.preset !== '124m') throw new Error(`--preset ${args.preset}: choose reference or 124m`);
const gpt2: GptConfig =
  args.preset === '124m'
    ? { vocabSize: 50257, contextLength: 1024, width: 768, layers: 12, heads: 12, dropout: 0, causal: true, tiedEmbeddings: false, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 }
    : { vocabSize: 256, contextLength: 128, width: 128, layers: 4, heads: 4, dropout: 0, causal: true, tiedEmbeddings: false, layerNormEps: 1e-5, numClasses: 0, maskTokenId: -1 };
// The Llama family at the same width and depth: grouped-query attention (half as many key/value heads), SwiGLU at about 8/3 the width.
const llamaMlp = gpt2.width >= 256 ? 256 * Math.ceil((8 * gpt2.width) / 3 / 256) : 32 * Math.ceil((8 * gpt2.width) / 3 / 32);
const config: GptConfig =
  args.family === 'llama' ? { ...gpt2, family: 'llama', kvHeads: gpt2.heads / 2, headDim: gpt2.width / gpt2.heads, intermediateSize: llamaMlp, rope: { theta: 10000 }, layerNormEps: 1e-6 } : gpt2;
const B = Number(args.batch ?? (args.preset === '124m' ? 4 : 16));
const T = config.contextLength;
/** The same shape for bench/torch_reference.py. */
const torchShape = ['--family', args.family, '--vocab', String(config.vocabSize), '--ctx', String(T), '--d', String(config.width), '--layers', String(config.layers), '--heads', String(config.heads), '--kv-heads', String(config.kvHeads ?? config.heads), '--batch', String(B), ...(config.intermediateSize ? ['--ffn', String(config.intermediateSize)] : [])];

/** Each rung in a child process of this script; returns tokens/s per rung that ran. */
function measureEachRung(): Array<{ rung: string; tps: number }> {
  const results: Array<{ rung: string; tps: number }> = [];
  const setup = vulkanSetup();
  for (const rung of RUNGS) {
    const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--steps', String(STEPS), '--backend', rung, '--no-reference', '--family', args.family, '--preset', args.preset, '--batch', String(B)], {
      encoding: 'utf8',
      env: { ...process.env, ...setup.env },
      // SwiftShader (no GPU) takes minutes a step at this size: a rung that slow is reported, not waited for.
      timeout: Number(process.env.WEFT_BENCH_RUNG_TIMEOUT_S ?? 900) * 1000,
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith('weft ('));
    const tps = Number(/ (\d+) tokens\/s/.exec(line ?? '')?.[1]);
    if (line && tps > 0) {
      console.log(line);
      results.push({ rung, tps });
    } else console.log(`${rung}: not available here (${(r.stderr.trim().split('\n').filter((l) => /Error|not available/.test(l)).at(-1) ?? (r.signal ? `stopped after ${process.env.WEFT_BENCH_RUNG_TIMEOUT_S ?? 900} s` : 'no result')).trim()})`);
  }
  return results;
}

const rungResults = args.backend === 'all' ? measureEachRung() : null;
if (args.backend !== 'auto' && args.backend !== 'all') process.env.WEFT_BACKEND = args.backend;
const device = rungResults ? null : await useDevice();
const backend = device ? describeDevice(device) : 'all';
const params = initParams(config, 0);
const names = [...params.keys()];
const vars = [...params.values()];
const byVar = new Map(vars.map((v, i) => [v.name, names[i]!]));
const optimizer = new Optimizer({ ...DEFAULT_OPTIMIZER, kind: 'adam', weightDecay: 0, clipNorm: 0 }, params);
const text = Buffer.from('the quick brown fox jumps over the lazy dog. to be or not to be, that is the question. '.repeat(Math.ceil((40 * T) / 86)), 'latin1');
let offset = 0;

async function step(): Promise<number> {
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    offset = (offset + 977) % (text.length - T - 1);
    for (let t = 0; t < T; t++) {
      x[b * T + t] = text[offset + t]!;
      y[b * T + t] = text[offset + t + 1]!;
    }
  }
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(
      () => crossEntropy(lmLogits(params, config, hiddenStates(params, config, tf.tensor2d(x, [B, T], 'int32'), { training: true })), tf.tensor1d(y, 'int32'), tf.ones([B * T])),
      vars,
    );
    const named = new Map(Object.entries(grads).map(([k, g]) => [byVar.get(k)!, g]));
    optimizer.apply(named, 1e-3, Optimizer.globalNorm(named));
    return value;
  });
  const v = (await loss.data())[0]!;
  loss.dispose();
  return v;
}

let weftTps = 0;
if (!rungResults) {
  for (let i = 0; i < 2; i++) await step(); // warm-up: kernels compile, memory settles
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await step();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
  }
  const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const median = medianOf(times);
  weftTps = (B * T) / (median / 1000);
  // CPU time of this process per step: on a loaded, shared machine it moves far less than wall time (wasm is one thread).
  console.log(`weft (tfjs ${backend}): ${median.toFixed(0)} ms/step, ${weftTps.toFixed(0)} tokens/s (median of ${STEPS} steps); CPU time ${medianOf(cpuTimes).toFixed(0)} ms/step`);
}
// Peak tensor memory of one step, as tfjs counts it (the buffers its backend holds at once).
const peakMB = rungResults ? 0 : (await tf.profile(async () => void (await step()))).peakBytes / 1024 ** 2;
if (!rungResults) console.log(`weft peak tensor memory: ${peakMB.toFixed(0)} MB (${args.family}, ${args.preset}, batch ${B}, context ${T})`);

if (args.profile && !rungResults) {
  const info = await tf.profile(async () => void (await step()));
  const agg = new Map<string, number>();
  for (const k of info.kernels) agg.set(k.name, (agg.get(k.name) ?? 0) + ((await k.kernelTimeMs) as number));
  const total = [...agg.values()].reduce((a, b) => a + b, 0);
  for (const [name, ms] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${name.padEnd(16)} ${ms.toFixed(0).padStart(6)} ms  ${((100 * ms) / total).toFixed(0)}%`);
}

// GPT-2 at the reference size on the CPU keeps the shared script the earlier figures came from; the rest use bench/torch_reference.py.
const sharedGpt = args.family === 'gpt2' && args.preset === 'reference' && args.reference === 'cpu';
const reference = args['no-reference'] || args.reference === 'none' ? '' : sharedGpt ? fileURLToPath(new URL('../../shared/bench/torch_gpt_reference.py', import.meta.url)) : fileURLToPath(new URL('./torch_reference.py', import.meta.url));
const python = args.reference === 'cuda' ? (process.env.WEFT_TORCH_PYTHON ?? 'python3') : '/usr/bin/python3';
interface TorchResult {
  tokPerSec: number;
  stepMsMedian: number;
  torch: string;
  peakMemMB?: number;
  gpu?: string;
}
let torchResult = null as TorchResult | null;
if (!reference) {
  // A child of --backend all: the parent runs the reference once.
} else if ((args.reference === 'cpu' && !existsSync(python)) || !existsSync(reference)) {
  console.log(`PyTorch reference: not run (needs ${python} with torch, and ${reference})`);
} else {
  const refArgs = sharedGpt ? ['--threads', '2', '--warmup', '3', '--steps', '10'] : [...torchShape, '--threads', args.reference === 'cuda' ? '16' : '2', '--warmup', '3', '--steps', '10', '--device', args.reference === 'cuda' ? 'cuda' : 'cpu'];
  const r = spawnSync(python, [reference, ...refArgs], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
  const line = r.stdout.trim().split('\n').find((l) => l.startsWith('{'));
  if (r.status !== 0 || !line) console.log(`PyTorch reference failed: ${r.stderr.trim().split('\n').at(-1)}`);
  else {
    const torch = JSON.parse(line) as TorchResult;
    torchResult = torch;
    console.log(`pytorch ${torch.torch} (${args.reference === 'cuda' ? `CUDA, ${torch.gpu ?? 'GPU'}` : '2 threads'}): ${torch.stepMsMedian.toFixed(0)} ms/step, ${torch.tokPerSec.toFixed(0)} tokens/s${torch.peakMemMB ? `, peak memory ${torch.peakMemMB.toFixed(0)} MB` : ''}`);
    if (rungResults) for (const r of rungResults) console.log(`ratio weft ${r.rung}/pytorch: ${(r.tps / torch.tokPerSec).toFixed(3)}`);
    else console.log(`ratio weft/pytorch: ${(weftTps / torch.tokPerSec).toFixed(3)}`);
  }
}
if (args.json) {
  const { appendFileSync } = await import('node:fs');
  const figures = { family: args.family, preset: args.preset, batch: B, context: T, weft: { device: backend, tokensPerSecond: Math.round(weftTps), peakTensorMB: Math.round(peakMB) }, pytorch: torchResult, ratio: torchResult && weftTps ? Number((weftTps / torchResult.tokPerSec).toFixed(3)) : null };
  appendFileSync(args.json, `${JSON.stringify(figures)}\n`);
}
