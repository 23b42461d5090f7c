import type { ScheduleSettings } from '../../sdk/index.ts';

/** Learning-rate schedules: a pure function of the step, so resuming needs only the step number. */
export type { ScheduleSettings };

export const DEFAULT_SCHEDULE: ScheduleSettings = { kind: 'cosine', lr: 3e-3, warmupSteps: 50, minLrRatio: 0.1, stepSize: 1000, gamma: 0.5 };

/** Learning rate at a 0-based step of a run of totalSteps. */
export function learningRate(s: ScheduleSettings, step: number, totalSteps: number): number {
  if (s.kind !== 'constant' && s.kind !== 'step' && s.warmupSteps > 0 && step < s.warmupSteps) return (s.lr * (step + 1)) / s.warmupSteps;
  const floor = s.lr * s.minLrRatio;
  const span = Math.max(1, totalSteps - s.warmupSteps);
  const t = Math.min(1, Math.max(0, (step - s.warmupSteps) / span));
  switch (s.kind) {
    case 'constant':
      return s.lr;
    case 'cosine':
      return floor + (s.lr - floor) * 0.5 * (1 + Math.cos(Math.PI * t));
    case 'linear':
      return s.lr - (s.lr - floor) * t;
    case 'step':
      return s.lr * s.gamma ** Math.floor(step / Math.max(1, s.stepSize));
  }
}
