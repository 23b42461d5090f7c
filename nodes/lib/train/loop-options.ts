import type { GptConfig } from '../gpt/config.ts';
import type { Params } from '../gpt/model.ts';
import { Optimizer, type OptimizerSettings } from './optimizer.ts';
import type { ScheduleSettings } from './schedule.ts';

/** What every training loop needs besides its data: model, budget, checkpoints, optimisation, reporting. */
export interface TrainLoopOptions {
  config: GptConfig;
  params: Params;
  batchSize: number;
  /** Micro-batches of batchSize per weight update (gradient accumulation); default 1. */
  gradAccum?: number;
  steps: number;
  evalEvery: number;
  checkpointEvery: number;
  keepCheckpoints: number;
  checkpointDir: string;
  optimizer: OptimizerSettings;
  schedule: ScheduleSettings;
  seed: number;
  /** Which parameters learn (LoRA: only the adapters, and a new head); default all. */
  trainable?: (name: string) => boolean;
  signal?: AbortSignal;
  progress(step: number, total: number, metrics: Record<string, number>): Promise<void>;
  log(message: string): void;
}

/**
 * Marks the parameters that do not learn as frozen for the forward pass (so no gradient is computed
 * for them: the model skips their weight gradients) and returns how to undo it.
 */
export function freezeAllBut(params: ReadonlyMap<string, { trainable: boolean }>, learning: ReadonlyMap<string, unknown>): () => void {
  const changed = [...params].filter(([name, v]) => !learning.has(name) && v.trainable).map(([, v]) => v);
  for (const v of changed) v.trainable = false;
  return () => {
    for (const v of changed) v.trainable = true;
  };
}

/**
 * What every training loop sets up first: the parameters that learn (all but LoRA's scale, or those
 * `trainable` names), the optimizer over them, variable name to parameter name (gradients come keyed by
 * variable), and the others frozen; `unfreeze` undoes the freezing when the loop ends.
 */
export function learningSetup(o: Pick<TrainLoopOptions, 'params' | 'trainable' | 'optimizer'>) {
  const learning = new Map([...o.params].filter(([name]) => (o.trainable ? o.trainable(name) : name !== 'lora.scale')));
  return {
    learning,
    vars: [...learning.values()],
    byVarName: new Map([...learning].map(([name, v]) => [v.name, name])),
    optimizer: new Optimizer(o.optimizer, learning),
    unfreeze: freezeAllBut(o.params, learning),
  };
}
