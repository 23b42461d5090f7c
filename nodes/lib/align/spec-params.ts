/**
 * The params Reward model and DPO training share with fine-tuning (method, LoRA, budget,
 * checkpoints), and their validation. Light: imported by node specs, so nothing heavy here.
 */
import type { NodeProblem } from '../../sdk/index.ts';
import { gradAccumParam } from '../spec/grad-accum-param.ts';

export const LORA_MATRICES = ['attn.q', 'attn.k', 'attn.v', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj', 'mlp.gate', 'mlp.up', 'mlp.down'];

/** Full training or LoRA, and LoRA's settings (shown only with LoRA): the same for every trainer. */
export const loraParams = {
  method: { kind: 'enum', options: ['full', 'lora'], default: 'full', help: 'full: every weight learns. lora: small add-on weights (adapters) learn while the model stays frozen, which needs far less memory; they are merged into the weights at the end; the adapter alone is also saved in PEFT format.' },
  loraRank: { kind: 'integer', default: 8, min: 1, max: 512, label: 'LoRA rank', help: 'Size of the adapters (the small add-on weights LoRA trains): larger ones can learn more and cost more memory. 8 to 16 is usual.', when: { param: 'method', is: ['lora'] } },
  loraAlpha: { kind: 'number', default: 16, min: 0.01, max: 10_000, label: 'LoRA alpha', help: 'How strongly the small add-on weights (adapters) count: they are scaled by alpha / rank.', when: { param: 'method', is: ['lora'] } },
  loraTargets: { kind: 'string', default: 'attn.q,attn.v', help: 'Which weight matrices get small add-on weights (adapters), comma-separated: attn.q, attn.k, attn.v, attn.c_proj (attention, every family); mlp.c_fc, mlp.c_proj (GPT-2, BERT); mlp.gate, mlp.up, mlp.down (Llama, Mistral, Qwen).', label: 'LoRA targets', when: { param: 'method', is: ['lora'] } },
} as const;

export const pairTrainingParams = {
  ...loraParams,
  steps: { kind: 'integer', default: 200, min: 1, max: 10_000_000, help: 'How many updates training makes.' },
  batchSize: { kind: 'integer', default: 8, min: 1, max: 4096, help: 'Preference pairs per step (each is two sequences).' },
  gradAccum: gradAccumParam,
  context: { kind: 'integer', default: 0, min: 0, max: 8192, help: "Tokens per sequence; 0 uses the model's context. A longer pair loses the beginning of its prompt (and the end of its response only when the response alone is too long)." },
  evalEvery: { kind: 'integer', default: 25, min: 1, max: 1_000_000, help: 'Steps between evaluations on the held-out pairs.' },
  maxEvalPairs: { kind: 'integer', default: 500, min: 1, max: 1_000_000, help: 'Held-out pairs used in each evaluation (the first ones).' },
  checkpointEvery: { kind: 'integer', default: 50, min: 0, max: 1_000_000, help: 'Steps between saved checkpoints, from which an interrupted run resumes; 0 saves none (no resume).' },
  keepCheckpoints: { kind: 'integer', default: 2, min: 1, max: 100, help: 'How many recent checkpoints are kept on disk (the best one is kept too).' },
} as const;

export function validateLora(p: { method: string; loraTargets: string }): NodeProblem[] {
  if (p.method !== 'lora') return [];
  const targets = p.loraTargets.split(',').map((t) => t.trim()).filter(Boolean);
  const bad = targets.filter((t) => !LORA_MATRICES.includes(t));
  if (!targets.length) return [{ param: 'loraTargets', message: 'name at least one matrix' }];
  return bad.length ? [{ param: 'loraTargets', message: `unknown matrix ${bad.join(', ')}; choose from ${LORA_MATRICES.join(', ')}` }] : [];
}
