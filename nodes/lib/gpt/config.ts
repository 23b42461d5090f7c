import type { ModelConfig } from '../../sdk/index.ts';
import { shapeOf } from '../hf-config.ts';

export { fromHfConfig, toHfConfig } from '../hf-config.ts';

/** Model configuration (the contract's ModelConfig), stored as a Hugging Face config.json in its family's names. */
export type GptConfig = ModelConfig;

// The estimate is light (no tfjs): node specs check memory at validation with it.
export { parameterCount, trainingBytes } from '../memory-estimate.ts';
