/**
 * LoRA adapters: W·x becomes W·x + (alpha/rank)·(x·A)·B, with A [in, rank] random and B [rank, out]
 * zero, so training starts from the base model exactly and updates only A and B. Merging folds
 * the product into W, giving an ordinary model any tool can load.
 */
import { tf } from '../backend.ts';
import { Prng } from '../prng.ts';
import type { GptConfig } from './config.ts';
import { newVariable, type Params } from './model.ts';

/** Matrices LoRA can adapt: attention in every family; the MLP's c_fc/c_proj in GPT-2 and BERT, gate/up/down in the Llama family. */
export const LORA_TARGETS = ['attn.q', 'attn.k', 'attn.v', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj', 'mlp.gate', 'mlp.up', 'mlp.down'] as const;

export interface LoraSettings {
  rank: number;
  alpha: number;
  targets: string[];
}

export function parseTargets(text: string): string[] {
  const targets = text.split(',').map((t) => t.trim()).filter(Boolean);
  const bad = targets.filter((t) => !(LORA_TARGETS as readonly string[]).includes(t));
  if (bad.length) throw new Error(`unknown LoRA target ${bad.map((b) => `"${b}"`).join(', ')}; choose from ${LORA_TARGETS.join(', ')}`);
  if (!targets.length) throw new Error('name at least one LoRA target matrix');
  return targets;
}

/** Adds zero-effect adapters to every layer's target matrices; returns the adapter parameter names. */
export function addLora(p: Params, c: GptConfig, s: LoraSettings, seed: number): string[] {
  const rng = new Prng(seed);
  const names: string[] = [];
  for (let i = 0; i < c.layers; i++) {
    for (const t of s.targets) {
      const w = p.get(`h.${i}.${t}.weight`);
      if (!w) throw new Error(`this ${c.family ?? 'gpt2'} model has no ${t} matrix to adapt (GPT-2 and BERT: mlp.c_fc, mlp.c_proj; Llama family: mlp.gate, mlp.up, mlp.down)`);
      const [din, dout] = w.shape as [number, number];
      const a = new Float32Array(din * s.rank);
      for (let k = 0; k < a.length; k++) a[k] = rng.normal() / Math.sqrt(din);
      p.set(`h.${i}.${t}.lora_A`, newVariable(() => tf.tensor2d(a, [din, s.rank])));
      p.set(`h.${i}.${t}.lora_B`, newVariable(() => tf.zeros([s.rank, dout])));
      names.push(`h.${i}.${t}.lora_A`, `h.${i}.${t}.lora_B`);
    }
  }
  p.set('lora.scale', newVariable(() => tf.scalar(s.alpha / s.rank), false));
  return names;
}

/** Folds every adapter into its base matrix and removes the adapter tensors. */
export function mergeLora(p: Params): number {
  const scale = p.get('lora.scale');
  if (!scale) return 0;
  let merged = 0;
  for (const name of [...p.keys()]) {
    if (!name.endsWith('.lora_A')) continue;
    const base = name.slice(0, -'.lora_A'.length);
    const a = p.get(name)!;
    const b = p.get(`${base}.lora_B`)!;
    const w = p.get(`${base}.weight`)!;
    tf.tidy(() => w.assign(tf.add(w, tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), scale))));
    a.dispose();
    b.dispose();
    p.delete(name);
    p.delete(`${base}.lora_B`);
    merged++;
  }
  scale.dispose();
  p.delete('lora.scale');
  return merged;
}

/** Adapter tensors alone (for saving an adapter next to the merged model). */
export function adapterNames(p: Params): string[] {
  return [...p.keys()].filter((n) => n.includes('.lora_') || n === 'lora.scale');
}
