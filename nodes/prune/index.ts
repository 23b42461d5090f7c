import { defineNode, nodeSpec, type NodeProblem } from '../sdk/index.ts';
import { contextProblem, memoryProblem, modelOf, needsDecoder, passModel } from '../lib/model-checks.ts';
import type { ModelConfig } from '../sdk/index.ts';
import { learningRateParam } from '../lib/spec/lr-param.ts';

const RECOVERING = { param: 'recoverySteps', not: [0] } as const;

/** Units structured pruning removes per layer: as nodes/lib/prune/structured.ts counts them (one always stays). */
const removedCount = (total: number, share: number): number => Math.min(total - 1, Math.round(total * share));

/** The model after structured pruning, or why pruning it that way cannot work. */
function pruned(m: ModelConfig, method: string, share: number): { model: ModelConfig } | { problem: string } {
  if (method === 'mlp-neurons') {
    const I = m.intermediateSize ?? 4 * m.width;
    const remove = removedCount(I, share);
    if (remove < 1) return { problem: `Sparsity ${share} removes no MLP neuron of the ${I} in each layer; raise Sparsity.` };
    return { model: { ...m, intermediateSize: I - remove } };
  }
  if (method !== 'attention-heads') return { model: m };
  if ((m.family ?? 'gpt2') === 'gpt2') {
    return {
      problem:
        "Attention heads cannot be removed from a GPT-2 model: GPT-2's config.json has one width for attention and for the rest of the model, so other tools could not load the result. Choose the method mlp-neurons (or unstructured), or prune a Llama-family model.",
    };
  }
  const kv = m.kvHeads ?? m.heads;
  const perGroup = m.heads / kv;
  const remove = perGroup > 1 ? removedCount(perGroup, share) : removedCount(kv, share);
  if (remove < 1) return { problem: `Sparsity ${share} removes no attention head (${perGroup > 1 ? `${perGroup} query heads per key/value head` : `${kv} heads`}); raise Sparsity.` };
  const headDim = m.headDim ?? m.width / m.heads;
  return { model: perGroup > 1 ? { ...m, heads: kv * (perGroup - remove), kvHeads: kv, headDim } : { ...m, heads: kv - remove, kvHeads: kv - remove, headDim } };
}

export const spec = nodeSpec({
  type: 'prune',
  version: 1,
  category: 'Training',
  label: 'Prune',
  description:
    'Magnitude pruning: zero the smallest weights of every matrix (unstructured sparsity), or remove whole MLP neurons or attention heads (structured: the model gets smaller and still loads in transformers), then optionally a short recovery fine-tune. Perplexity before, after pruning and after recovery.',
  heavy: true,
  inputs: {
    model: { type: 'Model' },
    data: { type: 'Dataset', optional: true, description: 'Measures perplexity (validation split) and feeds the recovery fine-tune (train split).' },
    text: { type: 'Text', optional: true, description: 'Instead of data: a text file (90% for recovery, the last 10% to measure).' },
    optimizer: { type: 'Optimizer', optional: true },
    scheduler: { type: 'Scheduler', optional: true, description: 'Default: the Learning rate setting, constant after 10 warm-up steps.' },
  },
  outputs: { model: { type: 'Model' }, metrics: { type: 'Metrics' } },
  params: {
    method: {
      kind: 'enum',
      options: ['unstructured', 'mlp-neurons', 'attention-heads'],
      default: 'unstructured',
      help: 'unstructured: zeros inside each matrix (same shapes). mlp-neurons / attention-heads: whole units removed, the same number in every layer, chosen per layer by weight norm (heads: Llama, Mistral, Qwen only).',
    },
    sparsity: { kind: 'number', default: 0.5, min: 0.01, max: 0.95, step: 0.05, help: 'Share of weights zeroed per matrix, or of MLP neurons / heads removed per layer (heads: per key/value group).' },
    recoverySteps: { kind: 'integer', default: 0, min: 0, max: 1_000_000, label: 'Recovery steps', help: 'Fine-tune steps after pruning (0: none). Unstructured pruning keeps the pruned weights at zero while recovering.' },
    learningRate: { ...learningRateParam(1e-3, 'then it rises over 10 warm-up steps and stays constant'), when: { all: [{ notConnected: 'scheduler' }, RECOVERING] } },
    batchSize: { kind: 'integer', default: 8, min: 1, max: 4096, help: 'How many sequences each update learns from at once: larger is steadier and needs more memory.' },
    context: { kind: 'integer', default: 0, min: 0, max: 8192, help: "Tokens per sequence; 0 uses the model's context." },
    evalWindows: { kind: 'integer', default: 32, min: 1, max: 100_000, label: 'Held-out windows', help: 'Sequences measured for perplexity (the same ones before and after).' },
    checkpointEvery: { kind: 'integer', default: 50, min: 0, max: 1_000_000, help: 'Steps between saved checkpoints, from which an interrupted run resumes; 0 saves none (no resume).', when: RECOVERING },
  },
  validate(_p, connected) {
    const problems: NodeProblem[] = [];
    const n = ['data', 'text'].filter((x) => connected.includes(x)).length;
    if (n === 0) problems.push({ port: 'data', message: 'connect data (a Dataset) or text (a Text) to measure perplexity on' });
    if (n === 2) problems.push({ port: 'text', message: 'connect data or text, not both' });
    return problems;
  },
  metricNames: (p) => [
    'perplexityBefore',
    'perplexityAfterPruning',
    ...(p.recoverySteps > 0 ? ['perplexityAfterRecovery', 'finalLoss'] : []),
    'parametersBefore',
    'parameters',
    'nonZeroParameters',
    'sparsity',
    'removedPerLayer',
  ],
  validateWithInputs(p, inputs, { memory }) {
    const model = modelOf(inputs);
    if (!model) return [];
    // Pruning is judged by perplexity, which only a decoder has.
    if (!model.causal) return needsDecoder(model, 'Pruning');
    const after = pruned(model, p.method, p.sparsity);
    if ('problem' in after) return [{ param: p.method === 'attention-heads' && (model.family ?? 'gpt2') === 'gpt2' ? 'method' : 'sparsity', message: after.problem }];
    return [...contextProblem(model, p.context), ...(p.recoverySteps > 0 ? memoryProblem({ model: after.model, memory, batch: p.batchSize, shape: { accumulation: false }, context: p.context }) : [])];
  },
  outputFacts: (p, inputs) => {
    const model = modelOf(inputs);
    const after = model && pruned(model, p.method, p.sparsity);
    return after && 'model' in after ? { model: { model: after.model } } : {};
  },
});

export default defineNode(spec, () => import('./run.ts'));
