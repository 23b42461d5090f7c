import { defineNode, nodeSpec } from '../sdk/index.ts';
import { contextProblem, loraOf, memoryProblem, modelOf, needsDecoder, noValidationWarning, passModel } from '../lib/model-checks.ts';
import { learningRateParam } from '../lib/spec/lr-param.ts';
import { loraParams, validateLora } from '../lib/align/spec-params.ts';
import { gradAccumParam } from '../lib/spec/grad-accum-param.ts';

export const spec = nodeSpec({
  type: 'train.sft',
  version: 1,
  category: 'Training',
  label: 'Fine-tune',
  description:
    'Supervised fine-tuning. Chat: learns the responses of prompt/response records (loss on response tokens only), for a decoder. Classification: adds a head and learns the records\' labels (accuracy, macro F1, confusion matrix), for a decoder or a BERT/RoBERTa encoder (pooler + classifier on the first token).',
  heavy: true,
  inputs: {
    model: { type: 'Model' },
    dataset: { type: 'Dataset', description: 'Chat: prompt/response records (from Chat format). Classification: text + label records.' },
    optimizer: { type: 'Optimizer', optional: true },
    scheduler: { type: 'Scheduler', optional: true },
  },
  outputs: { model: { type: 'Model' }, metrics: { type: 'Metrics' } },
  params: {
    mode: { kind: 'enum', options: ['chat', 'classification'], default: 'chat', help: 'chat: learn to write the responses of prompt/response records. classification: learn to give each text its label.' },
    ...loraParams,
    steps: { kind: 'integer', default: 300, min: 1, max: 10_000_000, help: 'How many updates training makes.' },
    learningRate: learningRateParam(1e-3, 'then it rises over 20 warm-up steps and falls along a cosine curve to a tenth'),
    batchSize: { kind: 'integer', default: 16, min: 1, max: 4096, help: 'How many sequences each update learns from at once: larger is steadier and needs more memory.' },
    gradAccum: gradAccumParam,
    context: { kind: 'integer', default: 0, min: 0, max: 8192, help: "Tokens per sequence; 0 uses the model's context. Classification truncates longer texts." },
    evalEvery: { kind: 'integer', default: 50, min: 1, max: 1_000_000, help: 'Steps between measurements on the validation split.' },
    evalBatches: { kind: 'integer', default: 8, min: 1, max: 10_000, label: 'Validation batches', help: 'Batches of the validation split measured each time.', when: { param: 'mode', is: ['chat'] } },
    checkpointEvery: { kind: 'integer', default: 50, min: 0, max: 1_000_000, help: 'Steps between saved checkpoints, from which an interrupted run resumes; 0 saves none (no resume).' },
    keepCheckpoints: { kind: 'integer', default: 2, min: 1, max: 100, help: 'How many recent checkpoints are kept on disk (the best one is kept too).' },
  },
  metricNames: (p) => (p.mode === 'chat' ? ['initialLoss', 'finalLoss', 'tokensPerSecond', 'valLoss'] : ['initialLoss', 'finalLoss', 'valAccuracy', 'valMacroF1', 'resumedFromStep']),
  validateWithInputs(p, inputs, { memory }) {
    const model = modelOf(inputs);
    return [
      // Chat needs a decoder; classification takes either (a BERT encoder or a decoder's last token).
      ...(p.mode === 'chat' ? needsDecoder(model, 'Chat fine-tuning') : []),
      ...contextProblem(model, p.context),
      ...memoryProblem({ model, memory, batch: p.batchSize, context: p.context, gradAccum: p.gradAccum, lora: loraOf(p) }),
      ...noValidationWarning(inputs, 'dataset', p.mode === 'chat' ? 'fine-tuning reports no validation loss' : 'fine-tuning reports no validation accuracy, macro F1 or confusion matrix'),
    ];
  },
  // Classification adds a head; the body keeps its shape.
  outputFacts: (p, inputs) => passModel(inputs, 'model', (m) => (p.mode === 'classification' ? { ...m, numClasses: Math.max(m.numClasses, 2) } : m)),
  validate: (p) => validateLora(p),
});

export default defineNode(spec, () => import('./run.ts'));

