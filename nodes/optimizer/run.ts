import type { OptimizerHandle, RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (_inputs, params) => {
  const optimizer: OptimizerHandle = { kind: 'optimizer', settings: { ...params } };
  return { outputs: { optimizer } };
};

export default run;
