/**
 * Training checkpoints: weights, optimizer moments, step, RNG and data position, written to a
 * temporary folder and renamed into place, so a crash mid-write never leaves a half checkpoint.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../backend.ts';
import type { Params } from '../gpt/model.ts';
import { encodeSafetensors, readSafetensors } from '../safetensors.ts';
import { Prng } from '../prng.ts';
import { explainWriteError } from '../../sdk/disk-full.ts';
import type { Optimizer } from './optimizer.ts';

export interface TrainState {
  step: number;
  optimizerStep: number;
  rng: number[];
  bestValLoss: number | null;
  lastValLoss: number | null;
  tokensSeen: number;
  /** Every step's loss so far, so a resumed run reports the whole run, as if never interrupted. */
  history?: Array<{ step: number; loss: number; valLoss?: number; valAccuracy?: number; valMacroF1?: number }>;
  /** Seconds spent training so far, across sessions (for tokens per second over the whole run). */
  trainingSeconds?: number;
}

const NAME = /^step-(\d{8})$/;

function list(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((n) => NAME.exec(n))
    .filter((m): m is RegExpExecArray => m !== null && existsSync(join(dir, m[0], 'state.json')))
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** Writes and flushes a file to the disk, so a rename after it never publishes unwritten bytes. */
function writeDurable(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncFolder(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Temporary folders and files that a process killed mid-save left behind (never a finished
 * checkpoint). A live process's, other than this one, are its save in progress: left alone.
 */
function removeLeftovers(dir: string): void {
  for (const name of readdirSync(dir)) {
    const m = /^\.tmp-(?:best-)?(\d+)/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || !alive(pid)) rmSync(join(dir, name), { recursive: true, force: true });
  }
}

const folder = (dir: string, step: number) => join(dir, `step-${String(step).padStart(8, '0')}`);

export async function saveCheckpoint(dir: string, state: TrainState, params: Params, optimizer: Optimizer, keepLast: number, isBest: boolean): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, v] of [...params, ...optimizer.state]) tensors.set(name, { shape: v.shape, data: (await v.data()) as Float32Array });
  removeLeftovers(dir);
  const tmp = join(dir, `.tmp-${process.pid}-${Date.now()}`);
  const bestTmp = join(dir, `.tmp-best-${process.pid}.json`);
  const encoded = encodeSafetensors(tensors);
  try {
    mkdirSync(tmp);
    writeDurable(join(tmp, 'tensors.safetensors'), encoded);
    writeDurable(join(tmp, 'state.json'), JSON.stringify(state));
    syncFolder(tmp);
    const final = folder(dir, state.step);
    rmSync(final, { recursive: true, force: true });
    renameSync(tmp, final);
    if (isBest) {
      // best.json too is replaced whole: written beside, flushed, then renamed over the old one.
      writeDurable(bestTmp, JSON.stringify({ step: state.step, valLoss: state.lastValLoss }));
      renameSync(bestTmp, join(dir, 'best.json'));
    }
  } catch (err) {
    // A half-written checkpoint would keep a full disk full: remove it; the previous ones stay whole.
    rmSync(tmp, { recursive: true, force: true });
    rmSync(bestTmp, { force: true });
    throw explainWriteError(err, dir, encoded.byteLength);
  }
  syncFolder(dir);
  const best = bestStep(dir);
  const steps = list(dir);
  for (const s of steps.slice(0, Math.max(0, steps.length - keepLast))) if (s !== best) rmSync(folder(dir, s), { recursive: true, force: true });
}

function bestStep(dir: string): number | null {
  try {
    return (JSON.parse(readFileSync(join(dir, 'best.json'), 'utf8')) as { step: number }).step;
  } catch {
    return null;
  }
}

/** Restores the latest complete checkpoint into params and optimizer; returns its state, or null. */
export function restoreLatest(dir: string, params: Params, optimizer: Optimizer): TrainState | null {
  const steps = list(dir);
  const last = steps.at(-1);
  if (last === undefined) return null;
  const at = folder(dir, last);
  const state = JSON.parse(readFileSync(join(at, 'state.json'), 'utf8')) as TrainState;
  const { tensors } = readSafetensors(join(at, 'tensors.safetensors'));
  for (const [name, v] of [...params, ...optimizer.state]) {
    const t = tensors.get(name);
    if (!t || t.shape.join() !== v.shape.join()) throw new Error(`checkpoint ${at} does not match this model (tensor ${name})`);
    v.assign(tf.tensor(t.data as Float32Array, v.shape));
  }
  optimizer.step = state.optimizerStep;
  return state;
}

export function clearCheckpoints(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The state to start from: the latest checkpoint's (weights and optimizer restored), or a fresh one. */
export function startingState(o: { checkpointDir: string; params: Params; seed: number; log(m: string): void }, optimizer: Optimizer): { state: TrainState; resumedFrom: number | null } {
  const restored = restoreLatest(o.checkpointDir, o.params, optimizer);
  if (!restored) return { state: { step: 0, optimizerStep: 0, rng: new Prng(o.seed).state(), bestValLoss: null, lastValLoss: null, tokensSeen: 0 }, resumedFrom: null };
  o.log(`resumed from the checkpoint at step ${restored.step}`);
  return { state: restored, resumedFrom: restored.step };
}
