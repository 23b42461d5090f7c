import { defineNode, nodeSpec } from '../sdk/index.ts';
import { contextProblem, memoryProblem, modelOf, needsDecoder, needsEncoder, noValidationWarning, passModel } from '../lib/model-checks.ts';
import { learningRateParam } from '../lib/spec/lr-param.ts';
import { gradAccumParam } from '../lib/spec/grad-accum-param.ts';

export const spec = nodeSpec({
  type: 'train.pretrain',
  version: 1,
  category: 'Training',
  label: 'Pretrain',
  description: 'Trains a model on text: causal LM (next token) or masked LM. Validation, checkpoints with exact resume, NaN detection, live metrics.',
  heavy: true,
  inputs: {
    model: { type: 'Model' },
    dataset: { type: 'Dataset', description: 'Trains on its train split, evaluates on its validation split.' },
    optimizer: { type: 'Optimizer', optional: true, description: 'Default: AdamW, weight decay 0.1, clipping at 1.' },
    scheduler: { type: 'Scheduler', optional: true, description: 'Default: the Learning rate setting, with warm-up then cosine decay.' },
  },
  outputs: { model: { type: 'Model' }, metrics: { type: 'Metrics' } },
  params: {
    objective: { kind: 'enum', options: ['causal', 'masked'], default: 'causal', help: 'What the model learns: causal predicts each next word from the ones before (for writing text); masked fills in hidden words from both sides (for encoders).' },
    steps: { kind: 'integer', default: 500, min: 1, max: 10_000_000, help: 'How many updates training makes.' },
    learningRate: learningRateParam(3e-3, 'then it rises over 50 warm-up steps and falls along a cosine curve to a tenth'),
    batchSize: { kind: 'integer', default: 16, min: 1, max: 4096, help: 'How many sequences each update learns from at once: larger is steadier and needs more memory.' },
    context: { kind: 'integer', default: 0, min: 0, max: 8192, help: 'Tokens per training sequence; 0 uses the model\'s context.' },
    gradAccum: gradAccumParam,
    evalEvery: { kind: 'integer', default: 50, min: 1, max: 1_000_000, help: 'Steps between validation passes.' },
    evalBatches: { kind: 'integer', default: 8, min: 1, max: 10_000, label: 'Validation batches', help: 'Batches of the validation split measured at each validation pass: more is a steadier figure, slower.' },
    checkpointEvery: { kind: 'integer', default: 50, min: 0, max: 1_000_000, help: '0 disables checkpoints (and resume).' },
    keepCheckpoints: { kind: 'integer', default: 2, min: 1, max: 100, help: 'The last k are kept, plus the best.' },
    maskProbability: { kind: 'number', default: 0.15, min: 0.01, max: 0.9, help: 'Share of tokens hidden for the model to guess.', when: { param: 'objective', is: ['masked'] } },
  },
  validateWithInputs(p, inputs, { memory }) {
    const model = modelOf(inputs);
    return [
      ...(p.objective === 'causal' ? needsDecoder(model, 'Causal language-model training') : needsEncoder(model, 'Masked language-model training', 'objective')),
      ...contextProblem(model, p.context),
      ...memoryProblem({ model, memory, batch: p.batchSize, context: p.context, gradAccum: p.gradAccum }),
      ...noValidationWarning(inputs, 'dataset', 'training reports no validation loss and keeps no best checkpoint'),
    ];
  },
  outputFacts: (_p, inputs) => passModel(inputs),
  metricNames: () => ['finalLoss', 'tokensPerSecond', 'steps', 'valLoss', 'valPerplexity', 'bestValLoss', 'unigramBaseline', 'resumedFromStep'],
});

export default defineNode(spec, () => import('./run.ts'));

