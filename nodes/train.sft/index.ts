import { defineNode, nodeSpec } from '../sdk/index.ts';

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
    mode: { kind: 'enum', options: ['chat', 'classification'], default: 'chat' },
    method: { kind: 'enum', options: ['full', 'lora'], default: 'full', help: 'full: every weight learns. lora: small adapters learn and are merged into the weights at the end.' },
    loraRank: { kind: 'integer', default: 8, min: 1, max: 512 },
    loraAlpha: { kind: 'number', default: 16, min: 0.01, max: 10_000, help: 'Adapters are scaled by alpha / rank.' },
    loraTargets: { kind: 'string', default: 'attn.q,attn.v', help: 'Comma-separated: attn.q, attn.k, attn.v, attn.c_proj (attention, every family); mlp.c_fc, mlp.c_proj (GPT-2, BERT); mlp.gate, mlp.up, mlp.down (Llama, Mistral, Qwen).' },
    steps: { kind: 'integer', default: 300, min: 1, max: 10_000_000 },
    batchSize: { kind: 'integer', default: 16, min: 1, max: 4096 },
    context: { kind: 'integer', default: 0, min: 0, max: 8192, help: "Tokens per sequence; 0 uses the model's context. Classification truncates longer texts." },
    evalEvery: { kind: 'integer', default: 50, min: 1, max: 1_000_000 },
    evalBatches: { kind: 'integer', default: 8, min: 1, max: 10_000, help: 'Chat: validation batches per evaluation.' },
    checkpointEvery: { kind: 'integer', default: 50, min: 0, max: 1_000_000 },
    keepCheckpoints: { kind: 'integer', default: 2, min: 1, max: 100 },
  },
  metricNames: (p) => (p.mode === 'chat' ? ['initialLoss', 'finalLoss', 'tokensPerSecond', 'valLoss'] : ['finalLoss', 'valAccuracy', 'valMacroF1']),
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

