/**
 * The params Reward model and DPO training share with fine-tuning (method, LoRA, budget,
 * checkpoints), and their validation. Light: imported by node specs, so nothing heavy here.
 */
import type { NodeProblem } from '../../sdk/index.ts';

export const LORA_MATRICES = ['attn.q', 'attn.k', 'attn.v', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj', 'mlp.gate', 'mlp.up', 'mlp.down'];

export const pairTrainingParams = {
  method: { kind: 'enum', options: ['full', 'lora'], default: 'full', help: 'full: every weight learns. lora: small adapters learn and are merged into the weights at the end (the adapter alone is saved in PEFT format too).' },
  loraRank: { kind: 'integer', default: 8, min: 1, max: 512 },
  loraAlpha: { kind: 'number', default: 16, min: 0.01, max: 10_000, help: 'Adapters are scaled by alpha / rank.' },
  loraTargets: { kind: 'string', default: 'attn.q,attn.v', help: 'Comma-separated: attn.q, attn.k, attn.v, attn.c_proj (attention, every family); mlp.c_fc, mlp.c_proj (GPT-2, BERT); mlp.gate, mlp.up, mlp.down (Llama, Mistral, Qwen).' },
  steps: { kind: 'integer', default: 200, min: 1, max: 10_000_000 },
  batchSize: { kind: 'integer', default: 8, min: 1, max: 4096, help: 'Preference pairs per step (each is two sequences).' },
  context: { kind: 'integer', default: 0, min: 0, max: 8192, help: "Tokens per sequence; 0 uses the model's context. A longer pair loses the beginning of its prompt (and the end of its response only when the response alone is too long)." },
  evalEvery: { kind: 'integer', default: 25, min: 1, max: 1_000_000, help: 'Steps between evaluations on the held-out pairs.' },
  maxEvalPairs: { kind: 'integer', default: 500, min: 1, max: 1_000_000, help: 'Held-out pairs used in each evaluation (the first ones).' },
  checkpointEvery: { kind: 'integer', default: 50, min: 0, max: 1_000_000 },
  keepCheckpoints: { kind: 'integer', default: 2, min: 1, max: 100 },
} as const;

export function validateLora(p: { method: string; loraTargets: string }): NodeProblem[] {
  if (p.method !== 'lora') return [];
  const targets = p.loraTargets.split(',').map((t) => t.trim()).filter(Boolean);
  const bad = targets.filter((t) => !LORA_MATRICES.includes(t));
  if (!targets.length) return [{ param: 'loraTargets', message: 'name at least one matrix' }];
  return bad.length ? [{ param: 'loraTargets', message: `unknown matrix ${bad.join(', ')}; choose from ${LORA_MATRICES.join(', ')}` }] : [];
}
