import { defineNode, nodeSpec } from '../sdk/index.ts';
import { contextProblem, loraOf, memoryProblem, modelOf, needsDecoder, noValidationWarning, passModel } from '../lib/model-checks.ts';
import { pairTrainingParams, validateLora } from '../lib/align/spec-params.ts';
import { learningRateParam } from '../lib/spec/lr-param.ts';

export const spec = nodeSpec({
  type: 'train.rm',
  version: 1,
  category: 'Training',
  label: 'Reward model',
  description:
    "Trains a reward model from preference pairs: the model's architecture with a one-output head, learning with the Bradley-Terry loss to score chosen responses above rejected ones. " +
    'Reports pairwise accuracy on held-out pairs and the reward histogram of chosen versus rejected responses. Saved as a one-label *ForSequenceClassification model that transformers loads.',
  heavy: true,
  inputs: {
    model: { type: 'Model', description: 'The policy (or any model of its family and tokenizer) to start from; its language-model head is replaced by a reward head.' },
    preferences: { type: 'Preferences' },
    optimizer: { type: 'Optimizer', optional: true },
    scheduler: { type: 'Scheduler', optional: true },
  },
  outputs: { model: { type: 'Model' }, metrics: { type: 'Metrics' } },
  params: {
    ...pairTrainingParams,
    learningRate: learningRateParam(1e-3, 'then it rises over 10 warm-up steps and falls along a cosine curve to a tenth'),
    histogramBins: { kind: 'integer', default: 20, min: 2, max: 200, label: 'Histogram bins', help: 'Bins of the chosen-versus-rejected reward histogram of the held-out pairs, before and after training (reward-histogram.csv, drawn in the inspector).' },
  },
  validateWithInputs(p, inputs, { memory }) {
    const model = modelOf(inputs);
    return [
      ...needsDecoder(model, 'A reward model here'),
      ...contextProblem(model, p.context),
      ...memoryProblem({ model, memory, batch: p.batchSize, shape: { sequencesPerItem: 2 }, context: p.context, gradAccum: p.gradAccum, lora: loraOf(p) }),
      ...noValidationWarning(inputs, 'preferences', 'no held-out pairs measure preference accuracy', 'Set Held out above 0 in the preference dataset.'),
    ];
  },
  outputFacts: (_p, inputs) => passModel(inputs, 'model', (m) => ({ ...m, numClasses: 1 })),
  validate: (p) => validateLora(p),
});

export default defineNode(spec, () => import('./run.ts'));
