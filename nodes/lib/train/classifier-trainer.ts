/**
 * Fine-tuning a model with a classification head: batches of whole (truncated) sequences, one
 * label each; accuracy, macro F1 and a confusion matrix on validation. Checkpoints and resume work
 * as for language modelling.
 */
import { tf } from '../backend.ts';
import type { GptConfig } from '../gpt/config.ts';
import { classifierLogits, crossEntropy, hiddenStates, type Params } from '../gpt/model.ts';
import { Prng } from '../prng.ts';
import { saveCheckpoint, startingState } from './checkpoint.ts';
import { learningSetup, type TrainLoopOptions } from './loop-options.ts';
import { applyUpdate, meanGradients } from './update.ts';
import { learningRate } from './schedule.ts';

export interface LabelledSequences {
  /** Token ids, each already truncated to the context. */
  ids: Int32Array[];
  labels: Int32Array;
}

export interface ClassifierTrainOptions extends TrainLoopOptions {
  classes: string[];
  train: LabelledSequences;
  validation?: LabelledSequences;
  padId: number;
}

export interface ClassificationReport {
  accuracy: number;
  macroF1: number;
  /** confusion[actual][predicted] */
  confusion: number[][];
}

function packBatch(o: Pick<ClassifierTrainOptions, 'config' | 'padId'>, seqs: Int32Array[]): { x: Int32Array; last: Int32Array; T: number } {
  const T = Math.max(1, ...seqs.map((s) => s.length));
  const x = new Int32Array(seqs.length * T).fill(o.padId);
  const last = new Int32Array(seqs.length);
  seqs.forEach((s, b) => {
    x.set(s, b * T);
    last[b] = Math.max(0, s.length - 1);
  });
  return { x, last, T };
}

function logitsFor(o: Pick<ClassifierTrainOptions, 'config' | 'params' | 'padId'>, seqs: Int32Array[], training: boolean, dropoutSeed: number): tf.Tensor2D {
  const { x, last, T } = packBatch(o, seqs);
  // An encoder's positions all see each other: padding must be masked out, as transformers' attention_mask does.
  const lengths = o.config.causal ? undefined : last.map((t) => t + 1);
  const hidden = hiddenStates(o.params, o.config, tf.tensor2d(x, [seqs.length, T], 'int32'), { training, dropoutSeed, ...(lengths ? { lengths } : {}) });
  return classifierLogits(o.params, o.config, hidden, last, training ? { dropoutSeed } : undefined);
}

export async function predict(o: Pick<ClassifierTrainOptions, 'config' | 'params' | 'padId' | 'batchSize'>, ids: Int32Array[]): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i += o.batchSize) {
    const arg = tf.tidy(() => tf.argMax(logitsFor(o, ids.slice(i, i + o.batchSize), false, 0), 1));
    out.push(...((await arg.data()) as Int32Array));
    arg.dispose();
  }
  return out;
}

/** Class probabilities (softmax of the head's logits), one row per sequence. */
export async function classProbabilities(o: Pick<ClassifierTrainOptions, 'config' | 'params' | 'padId'>, ids: Int32Array[]): Promise<Float32Array[]> {
  const probs = tf.tidy(() => tf.softmax(logitsFor(o, ids, false, 0)));
  const flat = (await probs.data()) as Float32Array;
  probs.dispose();
  const k = o.config.numClasses;
  return ids.map((_, i) => flat.slice(i * k, (i + 1) * k));
}

export function report(actual: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): ClassificationReport {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let right = 0;
  for (let i = 0; i < actual.length; i++) {
    confusion[actual[i]!]![predicted[i]!]!++;
    if (actual[i] === predicted[i]) right++;
  }
  const f1s = confusion.map((row, k) => {
    const tp = row[k]!;
    const fp = confusion.reduce((s, r, j) => s + (j === k ? 0 : r[k]!), 0);
    const fn = row.reduce((s, v, j) => s + (j === k ? 0 : v), 0);
    return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  });
  return { accuracy: right / Math.max(1, actual.length), macroF1: f1s.reduce((a, b) => a + b, 0) / classes, confusion };
}

/** One step of the record: the training loss, and validation accuracy and macro F1 where measured. */
export type ClassifierHistoryEntry = { step: number; loss: number; valAccuracy?: number; valMacroF1?: number };

export async function trainClassifier(o: ClassifierTrainOptions): Promise<{ validation: ClassificationReport | null; finalLoss: number; resumedFrom: number | null; history: ClassifierHistoryEntry[] }> {
  const { learning, vars, byVarName: byVar, optimizer, unfreeze } = learningSetup(o);
  try {
    const { state, resumedFrom } = startingState(o, optimizer);
    const rng = new Prng(state.rng);
    // A resumed run carries on the record of the steps before the interruption (as pretraining does).
    const history: ClassifierHistoryEntry[] = [...(state.history ?? [])];
    let lastLoss = history.at(-1)?.loss ?? Number.NaN;
    let validation: ClassificationReport | null = null;
    while (state.step < o.steps) {
      if (o.signal?.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
      const lr = learningRate(o.schedule, state.step, o.steps);
      // Micro-batch 0 keeps the dropout seed of a run without accumulation: gradAccum 1 trains as before.
      const { grads: named, loss } = await meanGradients(o.gradAccum ?? 1, vars, byVar, (micro) => {
        const pick = Array.from({ length: o.batchSize }, () => rng.int(o.train.ids.length));
        const seqs = pick.map((i) => o.train.ids[i]!);
        const labels = Int32Array.from(pick, (i) => o.train.labels[i]!);
        return crossEntropy(logitsFor(o, seqs, true, o.seed + state.step * 97 + micro), tf.tensor1d(labels, 'int32'), tf.ones([labels.length]));
      });
      const gradNorm = await applyUpdate(optimizer, named, lr, loss, state.step + 1);
      state.step++;
      state.optimizerStep = optimizer.step;
      lastLoss = loss;
      const metrics: Record<string, number> = { loss, lr, gradNorm };
      const entry: ClassifierHistoryEntry = { step: state.step, loss };
      let isBest = false;
      if (o.validation && (state.step % o.evalEvery === 0 || state.step === o.steps)) {
        validation = report(o.validation.labels, await predict(o, o.validation.ids), o.classes.length);
        metrics.valAccuracy = validation.accuracy;
        metrics.valMacroF1 = validation.macroF1;
        entry.valAccuracy = validation.accuracy;
        entry.valMacroF1 = validation.macroF1;
        state.lastValLoss = 1 - validation.accuracy;
        isBest = state.bestValLoss === null || state.lastValLoss < state.bestValLoss;
        if (isBest) state.bestValLoss = state.lastValLoss;
      }
      history.push(entry);
      state.history = history;
      state.rng = rng.state();
      if (o.checkpointEvery > 0 && (state.step % o.checkpointEvery === 0 || state.step === o.steps)) {
        await saveCheckpoint(o.checkpointDir, state, o.params, optimizer, o.keepCheckpoints, isBest);
      }
      await o.progress(state.step, o.steps, metrics);
    }
    // Resumed from the final checkpoint, no step ran: the restored weights give the same report.
    if (!validation && o.validation) validation = report(o.validation.labels, await predict(o, o.validation.ids), o.classes.length);
    return { validation, finalLoss: lastLoss, resumedFrom, history };
  } finally {
    unfreeze();
    optimizer.dispose();
  }
}
