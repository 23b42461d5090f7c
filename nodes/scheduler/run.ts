import type { SchedulerHandle, RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (_inputs, params) => {
  const scheduler: SchedulerHandle = { kind: 'scheduler', settings: { ...params } };
  return { outputs: { scheduler } };
};

export default run;
