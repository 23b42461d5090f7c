/**
 * The language-model training loop: causal or masked objective, gradient accumulation, periodic
 * validation, checkpoints and exact resume, NaN detection, streamed metrics. Every step runs in
 * tf.tidy and reads back only the loss and gradient norm, so the tensor count stays flat.
 */
import { tf } from '../backend.ts';
import { crossEntropy, hiddenStates, lmLogits } from '../gpt/model.ts';
import { Prng } from '../prng.ts';
import { saveCheckpoint, startingState } from './checkpoint.ts';
import type { TokenSource } from '../token-source.ts';
import { learningSetup, type TrainLoopOptions } from './loop-options.ts';
import { applyUpdate, meanGradients } from './update.ts';
import { learningRate } from './schedule.ts';

export interface LmTrainOptions extends TrainLoopOptions {
  /** Training tokens; a source with weights learns only the weighted tokens (fine-tuning responses). */
  train: TokenSource;
  validation?: TokenSource;
  objective: 'causal' | 'masked';
  maskProbability: number;
  context: number;
  gradAccum: number;
  evalBatches: number;
  /**
   * Continual learning: each training row comes from this source with probability `share` (drawn
   * from the seeded RNG, so a rerun or a resume draws the same rows); share 0 draws nothing extra.
   */
  replay?: { source: TokenSource; share: number };
  /** Called after every weight update, inside the step (e.g. pruning re-applies its masks). */
  afterUpdate?(): void;
}

export interface LmTrainResult {
  finalLoss: number;
  valLoss: number | null;
  bestValLoss: number | null;
  resumedFrom: number | null;
  tokensPerSecond: number;
  history: Array<{ step: number; loss: number; valLoss?: number }>;
}

interface Batch {
  x: Int32Array;
  y: Int32Array;
  w: Float32Array;
}

/** Random windows of context+1 tokens from the stream (causal), or masked copies (masked LM). */
function sampleBatch(o: LmTrainOptions, rng: Prng): Batch {
  const { batchSize: B, context: T } = o;
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  const w = new Float32Array(B * T);
  const replay = o.replay && o.replay.share > 0 ? o.replay : null;
  for (let b = 0; b < B; b++) {
    const source = replay && rng.next() < replay.share ? replay.source : o.train;
    const off = rng.int(source.length - T - 1 + 1);
    // One read per row: a file-backed source costs a window, not the corpus.
    const win = source.read(off, T + 1);
    const weights = source.weights?.(off, T + 1);
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      if (o.objective === 'causal') {
        x[i] = win[t]!;
        y[i] = win[t + 1]!;
        w[i] = weights ? weights[t + 1]! : 1;
      } else {
        const tok = win[t]!;
        y[i] = tok;
        const masked = rng.next() < o.maskProbability;
        x[i] = masked ? o.config.maskTokenId : tok;
        w[i] = masked ? 1 : 0;
      }
    }
  }
  return { x, y, w };
}

/** Evenly spaced, fixed windows of the validation stream, so every evaluation sees the same tokens. */
function validationBatches(o: LmTrainOptions): Batch[] {
  const v = o.validation;
  const { batchSize: B, context: T } = o;
  if (!v || v.length < T + 2) return [];
  const windows = Math.min(o.evalBatches * B, Math.floor((v.length - 1) / T));
  const rng = new Prng(12345);
  const batches: Batch[] = [];
  for (let start = 0; start + B <= windows; start += B) {
    const batch: Batch = { x: new Int32Array(B * T), y: new Int32Array(B * T), w: new Float32Array(B * T) };
    for (let b = 0; b < B; b++) {
      const off = Math.floor(((start + b) * (v.length - T - 1)) / Math.max(1, windows - 1));
      const win = v.read(off, T + 1);
      const weights = v.weights?.(off, T + 1);
      for (let t = 0; t < T; t++) {
        const i = b * T + t;
        const tok = win[t]!;
        if (o.objective === 'causal') {
          batch.x[i] = tok;
          batch.y[i] = win[t + 1]!;
          batch.w[i] = weights ? weights[t + 1]! : 1;
        } else {
          const masked = rng.next() < o.maskProbability;
          batch.x[i] = masked ? o.config.maskTokenId : tok;
          batch.y[i] = tok;
          batch.w[i] = masked ? 1 : 0;
        }
      }
    }
    batches.push(batch);
  }
  return batches;
}

function lossOf(o: LmTrainOptions, batch: Batch, training: boolean, dropoutSeed: number): tf.Scalar {
  const { batchSize: B, context: T } = o;
  const x = tf.tensor2d(batch.x, [B, T], 'int32');
  const hidden = hiddenStates(o.params, o.config, x, { training, dropoutSeed });
  return crossEntropy(lmLogits(o.params, o.config, hidden), tf.tensor1d(batch.y, 'int32'), tf.tensor1d(batch.w));
}

export async function evaluate(o: LmTrainOptions, batches: Batch[]): Promise<number | null> {
  if (!batches.length) return null;
  let sum = 0;
  for (const batch of batches) {
    const l = tf.tidy(() => lossOf(o, batch, false, 0));
    sum += (await l.data())[0]!;
    l.dispose();
  }
  return sum / batches.length;
}

export async function trainLanguageModel(o: LmTrainOptions): Promise<LmTrainResult> {
  const { learning, vars, byVarName, optimizer, unfreeze } = learningSetup(o);
  const valBatches = validationBatches(o);
  let history: LmTrainResult['history'] = [];
  try {
    const { state, resumedFrom } = startingState(o, optimizer);
    const rng = new Prng(state.rng);
    // A resumed run carries on the record of the steps before the interruption.
    history = [...(state.history ?? [])];
    let lastLoss = history.at(-1)?.loss ?? Number.NaN;
    let tokensThisSession = 0;
    const started = performance.now();
    const secondsBefore = state.trainingSeconds ?? 0;
    const runTokensPerSecond = () => state.tokensSeen / Math.max(1e-9, secondsBefore + (performance.now() - started) / 1000);
    while (state.step < o.steps) {
      if (o.signal?.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
      const lr = learningRate(o.schedule, state.step, o.steps);
      // Accumulate gradients over micro-batches; only their mean updates the weights.
      const { grads, loss } = await meanGradients(o.gradAccum, vars, byVarName, (micro) => lossOf(o, sampleBatch(o, rng), true, o.seed + state.step * 97 + micro));
      const gradNorm = await applyUpdate(optimizer, grads, lr, loss, state.step + 1);
      o.afterUpdate?.();
      state.step++;
      state.optimizerStep = optimizer.step;
      state.tokensSeen += o.batchSize * o.context * o.gradAccum;
      tokensThisSession += o.batchSize * o.context * o.gradAccum;
      lastLoss = loss;
      const metrics: Record<string, number> = {
        loss,
        lr,
        gradNorm,
        tokensPerSecond: tokensThisSession / ((performance.now() - started) / 1000),
      };
      const entry: LmTrainResult['history'][number] = { step: state.step, loss };
      const evalNow = valBatches.length > 0 && (state.step % o.evalEvery === 0 || state.step === o.steps);
      let isBest = false;
      if (evalNow) {
        const valLoss = (await evaluate(o, valBatches))!;
        state.lastValLoss = valLoss;
        isBest = state.bestValLoss === null || valLoss < state.bestValLoss;
        if (isBest) state.bestValLoss = valLoss;
        metrics.valLoss = valLoss;
        metrics.valPerplexity = Math.exp(valLoss);
        entry.valLoss = valLoss;
      }
      history.push(entry);
      state.history = history;
      state.trainingSeconds = secondsBefore + (performance.now() - started) / 1000;
      state.rng = rng.state();
      if (o.checkpointEvery > 0 && (state.step % o.checkpointEvery === 0 || state.step === o.steps)) {
        await saveCheckpoint(o.checkpointDir, state, o.params, optimizer, o.keepCheckpoints, isBest);
      }
      await o.progress(state.step, o.steps, metrics);
    }
    return {
      finalLoss: lastLoss,
      valLoss: state.lastValLoss,
      bestValLoss: state.bestValLoss,
      resumedFrom,
      tokensPerSecond: state.tokensSeen > 0 ? runTokensPerSecond() : 0,
      history,
    };
  } finally {
    unfreeze();
    optimizer.dispose();
  }
}
