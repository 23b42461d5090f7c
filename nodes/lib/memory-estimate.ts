/**
 * How big a model is and how much memory training it takes: pure arithmetic on the contract's
 * ModelConfig, no tfjs, so node specs check at validation what trainers check again when they start.
 */
// gpt/config.ts is pure arithmetic on the contract's ModelConfig (no tfjs): specs reach it through here.
import { parameterCount, trainingBytes, type GptConfig } from './gpt/config.ts';

export { parameterCount, trainingBytes };

const GIB = 1024 ** 3;
/** The wasm heap is 32-bit: 4 GiB, of which tfjs bookkeeping and fragmentation take a share. */
export const WASM_BUDGET_BYTES = 3.5 * GIB;

/** Of a GPU's memory, what training may plan to use: the driver, other programs and fragmentation take the rest. */
export const GPU_USABLE_SHARE = 0.85;

/** LoRA as the estimate sees it: the adapters' rank and how many matrices per layer get one. */
export type LoraSize = { rank: number; targets: number };

/** The largest single tensor a training step makes: one WebGPU buffer each, capped by the adapter. */
export function largestBufferBytes(config: GptConfig, batch: number, context: number): number {
  const c = { heads: config.heads, width: config.width, vocab: config.vocabSize, mlp: config.intermediateSize ?? 4 * config.width };
  return 4 * Math.max(batch * context * c.vocab, batch * c.heads * context * context, batch * context * c.mlp, c.vocab * c.width);
}

/** What a device lets training use. */
export interface TrainingBudget {
  /** What the device holds in all. */
  totalBytes?: number;
  /** Largest single buffer. */
  maxBufferBytes?: number;
  /** For messages: "the wasm backend's 4 GiB heap", "the GPU's 1.0 GiB buffer limit". */
  describe(kind: 'total' | 'buffer'): string;
  /** What the device holds beyond tfjs's tensors for this model (wasm: XNNPACK's packed weights). */
  extraBytes?(config: GptConfig): number;
}

/**
 * What the wasm heap holds beyond tfjs's tensors: XNNPACK keeps a packed copy of every weight
 * matrix it has multiplied, for as long as the weight lives (measured: a SmolLM2-135M-shaped model's
 * heap is about the tensor peak plus the weights). Other backends: nothing counted here.
 */
export function heapExtraBytes(backend: string, config: GptConfig): number {
  return backend === 'wasm' ? parameterCount(config) * 4 : 0;
}

export const WASM_BUDGET: TrainingBudget = { totalBytes: WASM_BUDGET_BYTES, describe: () => "the wasm backend's 4 GiB heap", extraBytes: (c) => heapExtraBytes('wasm', c) };

/** How a node's batch maps to sequences, and which settings its advice may name. */
export interface BatchShape {
  /** Sequences per batch item: a preference pair is two, an RL prompt its group of samples. Default 1. */
  sequencesPerItem?: number;
  /** Whether the node has a gradient accumulation setting; without one, advice names only the batch. Default true. */
  accumulation?: boolean;
  /** The batch setting in words, given a value: "batch size 4" (default), "2 prompts per step". */
  batch?: (items: number) => string;
}

/**
 * Why training this configuration does not fit the budget, with a batch that fits (the same
 * effective batch through gradient accumulation, where the node has it) or a shorter context; null
 * when it fits. The same words at validation and when a trainer starts. batchSize counts the node's
 * own items (pairs, prompts), so the advice names a value the user can set.
 */
export function trainingFitProblem(
  budget: TrainingBudget,
  config: GptConfig,
  batchSize: number,
  context: number,
  gradAccum: number,
  lora?: LoraSize,
  /** extraBytes: what the loop holds beside one model in training (a full-copy reference); what: the words for the message. */
  more: { extraBytes?: number; what?: string } & BatchShape = {},
): string | null {
  const perItem = more.sequencesPerItem ?? 1;
  const canAccumulate = more.accumulation ?? true;
  const batchWords = more.batch ?? ((b: number) => `batch size ${b}`);
  // A smaller batch keeps the effective batch through accumulation, whose running sum costs memory too.
  const accumFor = (b: number) => (b === batchSize || !canAccumulate ? gradAccum : Math.ceil((batchSize * gradAccum) / b));
  const extra = (budget.extraBytes?.(config) ?? 0) + (more.extraBytes ?? 0);
  const need = (b: number, t: number, accum = accumFor(b)) => trainingBytes(config, b * perItem, t, lora, accum) + extra;
  const overTotal = (b: number, t: number, accum?: number) => budget.totalBytes !== undefined && need(b, t, accum) > budget.totalBytes;
  const overBuffer = (b: number, t: number) => budget.maxBufferBytes !== undefined && largestBufferBytes(config, b * perItem, t) > budget.maxBufferBytes;
  const fits = (b: number, t: number, accum?: number) => !overTotal(b, t, accum) && !overBuffer(b, t);
  if (fits(batchSize, context)) return null;
  let b = batchSize;
  while (b > 1 && !fits(b, context)) b = Math.floor(b / 2);
  // A shorter context is suggested at batch 1 with the user's own accumulation.
  let t = context;
  while (t > 16 && !fits(1, t, gradAccum)) t = Math.floor(t / 2);
  const advice = fits(b, context)
    ? canAccumulate
      ? `Use ${batchWords(b)} with gradient accumulation ${Math.ceil((batchSize * gradAccum) / b)} (the same effective batch), or a smaller model.`
      : `Use ${batchWords(b)}, or a smaller model.`
    : fits(1, t, gradAccum)
      ? `Even ${batchWords(1)} does not fit at context ${context}: use ${batchWords(1)} with context ${t}${lora ? '' : ', or LoRA'}, or a smaller model.`
      : `Even ${batchWords(1)} does not fit: use a smaller model${lora ? '' : ' or LoRA'}.`;
  const at = `at ${batchWords(batchSize)}, context ${context}`;
  const why = overTotal(batchSize, context)
    ? `${more.what ?? 'training'} needs about ${(need(batchSize, context) / GIB).toFixed(1)} GiB ${at}, more than ${budget.describe('total')} allows.`
    : `training ${at} makes a ${(largestBufferBytes(config, batchSize * perItem, context) / GIB).toFixed(2)} GiB tensor (logits or attention scores), more than ${budget.describe('buffer')}.`;
  return `${why} ${advice}`;
}
