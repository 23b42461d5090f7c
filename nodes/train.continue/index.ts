import { defineNode, nodeSpec, type NodeProblem } from '../sdk/index.ts';
import { contextProblem, memoryProblem, modelOf, needsDecoder, noValidationWarning, passModel } from '../lib/model-checks.ts';
import { learningRateParam } from '../lib/spec/lr-param.ts';
import { gradAccumParam } from '../lib/spec/grad-accum-param.ts';

export const spec = nodeSpec({
  type: 'train.continue',
  version: 1,
  category: 'Training',
  label: 'Continue training',
  description:
    'Continual learning: trains a model further on new data while replaying a share of the old data, and reports forgetting (old-data loss before and after) beside the gain on the new data. Checkpoints with exact resume, live metrics.',
  heavy: true,
  inputs: {
    model: { type: 'Model' },
    newData: { type: 'Dataset', optional: true, label: 'new data', description: 'What to learn now: its train split; its validation split measures the gain.' },
    newText: { type: 'Text', optional: true, label: 'new text', description: 'Instead of new data: a text file (90% to learn, the last 10% to measure).' },
    oldData: { type: 'Dataset', optional: true, label: 'old data', description: 'What the model knew: replayed while training, and measured for forgetting.' },
    oldText: { type: 'Text', optional: true, label: 'old text', description: 'Instead of old data: a text file.' },
    optimizer: { type: 'Optimizer', optional: true, description: 'Default: AdamW, weight decay 0.1, clipping at 1.' },
    scheduler: { type: 'Scheduler', optional: true, description: 'Default: the Learning rate setting, constant after 10 warm-up steps.' },
  },
  outputs: { model: { type: 'Model' }, metrics: { type: 'Metrics' } },
  params: {
    replayShare: { kind: 'number', default: 0.25, min: 0, max: 0.95, step: 0.05, label: 'Replay share', help: 'Fraction of each batch drawn from the old data; 0 trains on the new data only.' },
    steps: { kind: 'integer', default: 300, min: 1, max: 10_000_000, help: 'How many updates training makes.' },
    learningRate: learningRateParam(1e-3, 'then it rises over 10 warm-up steps and stays constant'),
    batchSize: { kind: 'integer', default: 16, min: 1, max: 4096, help: 'How many sequences each update learns from at once: larger is steadier and needs more memory.' },
    gradAccum: gradAccumParam,
    context: { kind: 'integer', default: 0, min: 0, max: 8192, help: "Tokens per sequence; 0 uses the model's context." },
    evalEvery: { kind: 'integer', default: 50, min: 1, max: 1_000_000, help: 'Steps between measurements of the new and old held-out loss.' },
    evalWindows: { kind: 'integer', default: 32, min: 1, max: 100_000, label: 'Held-out windows', help: 'Sequences of each held-out set measured (the same ones before, during and after).' },
    checkpointEvery: { kind: 'integer', default: 50, min: 0, max: 1_000_000, help: '0 disables checkpoints (and resume).' },
    keepCheckpoints: { kind: 'integer', default: 2, min: 1, max: 100, help: 'How many recent checkpoints are kept on disk (the best one is kept too).' },
  },
  validate(_p, connected) {
    const problems: NodeProblem[] = [];
    const one = (a: string, b: string, what: string) => {
      const n = [a, b].filter((x) => connected.includes(x)).length;
      if (n === 0) problems.push({ port: a, message: `connect the ${what} (a Dataset to ${a}, or a Text to ${b})` });
      if (n === 2) problems.push({ port: b, message: `connect the ${what} once: ${a} or ${b}, not both` });
    };
    one('newData', 'newText', 'new data');
    one('oldData', 'oldText', 'old data (replayed, and measured for forgetting)');
    return problems;
  },
  validateWithInputs(p, inputs, { memory }) {
    const model = modelOf(inputs);
    return [
      ...needsDecoder(model, 'Continued training'),
      ...contextProblem(model, p.context),
      ...memoryProblem({ model, memory, batch: p.batchSize, context: p.context, gradAccum: p.gradAccum }),
      ...noValidationWarning(inputs, 'newData', 'the gain is measured on the last tenth of the train split, which training also reads'),
    ];
  },
  outputFacts: (_p, inputs) => passModel(inputs),
  metricNames: () => ['oldLossBefore', 'oldLossAfter', 'forgetting', 'newLossBefore', 'newLossAfter', 'gain', 'finalLoss', 'tokensPerSecond', 'replayShare'],
});

export default defineNode(spec, () => import('./run.ts'));
