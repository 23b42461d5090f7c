import { defineNode, nodeSpec } from '../sdk/index.ts';
import { contextProblem, loraOf, memoryProblem, modelOf, needsDecoder, noValidationWarning, passModel } from '../lib/model-checks.ts';
import { pairTrainingParams, validateLora } from '../lib/align/spec-params.ts';
import { learningRateParam } from '../lib/spec/lr-param.ts';

export const spec = nodeSpec({
  type: 'train.dpo',
  version: 1,
  category: 'Training',
  label: 'DPO',
  description:
    'Direct preference optimisation: teaches a language model to prefer the chosen response of each pair over the rejected one, relative to a frozen reference (the input model, or the one connected as reference), with no reward model. ' +
    'Reports the implicit reward margin and preference accuracy on held-out pairs before and after.',
  heavy: true,
  inputs: {
    model: { type: 'Model', description: 'The policy to train: usually a fine-tuned (SFT) model.' },
    preferences: { type: 'Preferences' },
    reference: { type: 'Model', optional: true, description: 'The frozen reference; the input model as it was before training when not connected.' },
    optimizer: { type: 'Optimizer', optional: true },
    scheduler: { type: 'Scheduler', optional: true },
  },
  outputs: { model: { type: 'Model' }, metrics: { type: 'Metrics' } },
  params: {
    beta: { kind: 'number', default: 0.1, min: 0.001, max: 10, help: 'How far the policy may move from the reference: the implicit reward is beta x (log pi - log pi_ref). Smaller lets it move further.' },
    ...pairTrainingParams,
    learningRate: learningRateParam(5e-4, 'then it rises over 10 warm-up steps and falls along a cosine curve to a tenth'),
  },
  validateWithInputs(p, inputs, { memory }) {
    const model = modelOf(inputs);
    return [
      ...needsDecoder(model, 'DPO training'),
      ...(model?.numClasses ? [{ port: 'model', message: 'DPO trains a language model, but the connected model has a classification or reward head. Connect the language model (the policy) instead.' }] : []),
      ...needsDecoder(modelOf(inputs, 'reference'), 'The DPO reference', 'reference'),
      ...contextProblem(model, p.context),
      ...memoryProblem({ model, memory, batch: p.batchSize, shape: { sequencesPerItem: 2 }, context: p.context, gradAccum: p.gradAccum, lora: loraOf(p) }),
      ...noValidationWarning(inputs, 'preferences', 'no held-out pairs measure preference accuracy', 'Set Held out above 0 in the preference dataset.'),
    ];
  },
  outputFacts: (_p, inputs) => passModel(inputs),
  validate: (p) => validateLora(p),
});

export default defineNode(spec, () => import('./run.ts'));
