import type { GptConfig } from '../gpt/config.ts';
import type { Params } from '../gpt/model.ts';
import type { OptimizerSettings } from './optimizer.ts';
import type { ScheduleSettings } from './schedule.ts';

/** What every training loop needs besides its data: model, budget, checkpoints, optimisation, reporting. */
export interface TrainLoopOptions {
  config: GptConfig;
  params: Params;
  batchSize: number;
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
