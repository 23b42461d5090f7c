/**
 * Checks before the run that trainers, generation and evaluation share: the connected model's kind
 * (decoder or encoder), its context, whether training it fits the device's memory, and whether the
 * data has a validation split to measure on. Light (no tfjs): node specs import it. The messages are
 * for people who do not read code: what is wrong, and what to change.
 */
import type { ModelConfig, NodeProblem, UpstreamFacts, ValidationMemory } from '../sdk/index.ts';
import { trainingFitProblem, type BatchShape, type LoraSize } from './memory-estimate.ts';

const ENCODER = 'an encoder (it reads text both ways, for masked-LM training and classification)';
const DECODER = 'a decoder (a GPT-2 or Llama-family language model that writes text left to right)';

/** The model facts of an input, when validation knows them. */
export const modelOf = (inputs: Readonly<Record<string, UpstreamFacts>>, port = 'model'): ModelConfig | undefined => inputs[port]?.model;

/** Passes the model of an input on unchanged (training changes weights, not shape). */
export function passModel(inputs: Readonly<Record<string, UpstreamFacts>>, port = 'model', change?: (m: ModelConfig) => ModelConfig): { model?: UpstreamFacts } {
  const m = modelOf(inputs, port);
  return m ? { model: { model: change ? change(m) : m } } : {};
}

/** `what` needs a decoder: refuse an encoder on that port. */
export function needsDecoder(model: ModelConfig | undefined, what: string, port = 'model'): NodeProblem[] {
  if (!model || model.causal) return [];
  return [{ port, message: `${what} needs ${DECODER}, but the connected model is ${ENCODER}. Connect a decoder, or set the Model node's Architecture to gpt2 or llama.` }];
}

/** `what` needs an encoder: refuse a decoder (reported on `param`, the setting that asks for it). */
export function needsEncoder(model: ModelConfig | undefined, what: string, param: string): NodeProblem[] {
  if (!model || !model.causal) return [];
  return [{ param, message: `${what} needs ${ENCODER}, but the connected model is ${DECODER}. Set the Model node's Architecture to encoder, or choose the causal objective.` }];
}

/** A context param (0: the model's) longer than the model can read. */
export function contextProblem(model: ModelConfig | undefined, context: number, param = 'context'): NodeProblem[] {
  if (!model || context <= model.contextLength) return [];
  return [
    {
      param,
      message: `Context ${context} is longer than the model's context of ${model.contextLength} tokens. Set Context to ${model.contextLength} or less (0 uses the model's).`,
    },
  ];
}

export interface FitQuestion {
  model: ModelConfig | undefined;
  memory: ValidationMemory | undefined;
  /** The node's batch setting: sequences, or pairs and prompts (see shape). */
  batch: number;
  /** How the batch maps to sequences and which settings the advice may name. */
  shape?: BatchShape;
  /** The context param (0: the model's). */
  context: number;
  gradAccum?: number;
  lora?: LoraSize;
  /** Where to put the problem. */
  param?: string;
}

/**
 * The memory estimate, before any model is built: the same words the trainer would stop with, an
 * error when the device is known and a warning when it is only the likely one.
 */
export function memoryProblem(q: FitQuestion): NodeProblem[] {
  if (!q.model || !q.memory) return [];
  const context = Math.min(q.context || q.model.contextLength, q.model.contextLength);
  const problem = trainingFitProblem(q.memory, q.model, q.batch, context, q.gradAccum ?? 1, q.lora, q.shape);
  if (!problem) return [];
  const message = q.memory.likely ? `${q.memory.likely}${problem}` : problem;
  return [{ param: q.param ?? 'batchSize', message: message.charAt(0).toUpperCase() + message.slice(1), ...(q.memory.likely ? { severity: 'warning' as const } : {}) }];
}

/** LoRA's size for the estimate, from a trainer's method and targets params. */
export function loraOf(p: { method?: string; loraRank?: number; loraTargets?: string }): LoraSize | undefined {
  if (p.method !== 'lora' || !p.loraRank) return undefined;
  return { rank: p.loraRank, targets: (p.loraTargets ?? '').split(',').filter((t) => t.trim()).length };
}

/** A warning when the data feeding `port` will have no validation split, so the trainer measures nothing held out. */
export function noValidationWarning(
  inputs: Readonly<Record<string, UpstreamFacts>>,
  port: string,
  consequence: string,
  fix = 'Put a "Split train/validation/test" node before it to hold some records out.',
): NodeProblem[] {
  if (inputs[port]?.validationSplit !== false) return [];
  return [
    {
      port,
      severity: 'warning',
      message: `The data has no validation split, so ${consequence}. ${fix}`,
    },
  ];
}

/** The splits a dataset is known to have, passed on by a node that keeps them. */
export function splitsOf(facts: UpstreamFacts | undefined): { dataset?: UpstreamFacts } {
  if (!facts || (facts.validationSplit === undefined && facts.testSplit === undefined)) return {};
  return { dataset: { ...(facts.validationSplit !== undefined ? { validationSplit: facts.validationSplit } : {}), ...(facts.testSplit !== undefined ? { testSplit: facts.testSplit } : {}) } };
}

/** A node that reads one split (Evaluate, Quantize) fails at run when the data does not have it: say so before. */
export function missingSplitProblem(inputs: Readonly<Record<string, UpstreamFacts>>, port: string, split: string, what: string): NodeProblem[] {
  const facts = inputs[port];
  const missing = split === 'validation' ? facts?.validationSplit === false : split === 'test' ? facts?.testSplit === false : false;
  if (!missing) return [];
  return [
    {
      param: 'split',
      message: `The data has no ${split} split, so there is nothing to ${what}. Put a "Split train/validation/test" node before it (with a ${split} share above 0), or choose another split.`,
    },
  ];
}
