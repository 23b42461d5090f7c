import { defineNode, nodeSpec } from '../sdk/index.ts';
import { contextProblem, loraOf, memoryProblem, modelOf, needsDecoder, noValidationWarning, passModel } from '../lib/model-checks.ts';
import { learningRateParam } from '../lib/spec/lr-param.ts';

export const spec = nodeSpec({
  type: 'train.sft',
  version: 1,
  category: 'Training',
  label: 'Fine-tune',
  description:
    'Supervised fine-tuning. Chat: learns the responses of prompt/response records (loss on response tokens only). Classification: adds a head and learns the records\' labels (accuracy, macro F1, confusion matrix).',
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
    method: { kind: 'enum', options: ['full', 'lora'], default: 'full', help: 'full: every weight learns. lora: small add-on weights (adapters) learn while the model stays frozen, which needs far less memory; they are merged into the weights at the end.' },
    loraRank: { kind: 'integer', default: 8, min: 1, max: 512, label: 'LoRA rank', help: 'Size of the adapters (the small add-on weights LoRA trains): larger ones can learn more and cost more memory. 8 to 16 is usual.', when: { param: 'method', is: ['lora'] } },
    loraAlpha: { kind: 'number', default: 16, min: 0.01, max: 10_000, label: 'LoRA alpha', help: 'How strongly the small add-on weights (adapters) count: they are scaled by alpha / rank.', when: { param: 'method', is: ['lora'] } },
    loraTargets: { kind: 'string', default: 'attn.q,attn.v', help: 'Which weight matrices get small add-on weights (adapters), comma-separated: attn.q, attn.k, attn.v, attn.c_proj (attention, every family); mlp.c_fc, mlp.c_proj (GPT-2); mlp.gate, mlp.up, mlp.down (Llama, Mistral, Qwen).', label: 'LoRA targets', when: { param: 'method', is: ['lora'] } },
    steps: { kind: 'integer', default: 300, min: 1, max: 10_000_000, help: 'How many updates training makes.' },
    learningRate: learningRateParam(1e-3, 'then it rises over 20 warm-up steps and falls along a cosine curve to a tenth'),
    batchSize: { kind: 'integer', default: 16, min: 1, max: 4096, help: 'How many sequences each update learns from at once: larger is steadier and needs more memory.' },
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
      ...needsDecoder(model, 'Fine-tuning'),
      ...contextProblem(model, p.context),
      ...memoryProblem({ model, memory, sequences: p.batchSize, context: p.context, lora: loraOf(p) }),
      ...noValidationWarning(inputs, 'dataset', p.mode === 'chat' ? 'fine-tuning reports no validation loss' : 'fine-tuning reports no validation accuracy, macro F1 or confusion matrix'),
    ];
  },
  // Classification adds a head; the body keeps its shape.
  outputFacts: (p, inputs) => passModel(inputs, 'model', (m) => (p.mode === 'classification' ? { ...m, numClasses: Math.max(m.numClasses, 2) } : m)),
  validate(p) {
    if (p.method !== 'lora') return [];
    const known = ['attn.q', 'attn.k', 'attn.v', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj', 'mlp.gate', 'mlp.up', 'mlp.down'];
    const targets = p.loraTargets.split(',').map((t) => t.trim()).filter(Boolean);
    const bad = targets.filter((t) => !known.includes(t));
    if (!targets.length) return [{ param: 'loraTargets', message: 'name at least one matrix' }];
    return bad.length ? [{ param: 'loraTargets', message: `unknown matrix ${bad.join(', ')}; choose from ${known.join(', ')}` }] : [];
  },
});

export default defineNode(spec, () => import('./run.ts'));

