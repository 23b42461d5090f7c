/**
 * LoRA adapters in PEFT's format (adapter_config.json + adapter_model.safetensors with PEFT's
 * tensor names), so `PeftModel.from_pretrained(base, folder)` loads what Weft trained, and Weft can
 * merge a PEFT adapter someone else trained into a base model.
 *
 * Weft keeps A [in, r] and B [r, out] (x·A·B); PEFT keeps lora_A [r, in] and lora_B [out, r]. GPT-2's
 * attention is one fused c_attn (q|k|v): Weft's separate q/k/v adapters become one c_attn adapter of
 * rank r x (number of them) whose B is block-diagonal, which is exactly the same update.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../backend.ts';
import { isEncoderFamily, shapeOf } from '../hf-config.ts';
import { encodeSafetensors, readSafetensors } from '../safetensors.ts';
import type { GptConfig } from './config.ts';
import { transpose } from './hf-names.ts';
import type { Params } from './model.ts';

const LLAMA_MODULES: Record<string, string> = {
  'attn.q': 'self_attn.q_proj',
  'attn.k': 'self_attn.k_proj',
  'attn.v': 'self_attn.v_proj',
  'attn.c_proj': 'self_attn.o_proj',
  'mlp.gate': 'mlp.gate_proj',
  'mlp.up': 'mlp.up_proj',
  'mlp.down': 'mlp.down_proj',
};
const GPT2_MODULES: Record<string, string> = { 'attn.c_proj': 'attn.c_proj', 'mlp.c_fc': 'mlp.c_fc', 'mlp.c_proj': 'mlp.c_proj' };
const ENCODER_MODULES: Record<string, string> = {
  'attn.q': 'attention.self.query',
  'attn.k': 'attention.self.key',
  'attn.v': 'attention.self.value',
  'attn.c_proj': 'attention.output.dense',
  'mlp.c_fc': 'intermediate.dense',
  'mlp.c_proj': 'output.dense',
};

const modulesOf = (c: ReturnType<typeof shapeOf>) => (isEncoderFamily(c.family) ? ENCODER_MODULES : c.family === 'gpt2' ? GPT2_MODULES : LLAMA_MODULES);
const QKV = ['attn.q', 'attn.k', 'attn.v'];

interface Settings {
  rank: number;
  alpha: number;
  targets: string[];
}

const read = async (p: Params, name: string) => (await p.get(name)!.data()) as Float32Array;

/** Writes the adapters attached to `params` (before merging) into `dir` in PEFT's layout. */
export async function writePeftAdapter(dir: string, params: Params, config: GptConfig, s: Settings, baseModel: string): Promise<void> {
  const c = shapeOf(config);
  mkdirSync(dir, { recursive: true });
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  const gpt2 = c.family === 'gpt2';
  const encoder = isEncoderFamily(c.family);
  const prefix = encoder ? `base_model.model.${c.family}.encoder.layer.` : gpt2 ? 'base_model.model.transformer.h.' : 'base_model.model.model.layers.';
  const modules = new Set<string>();
  const fused = gpt2 ? QKV.filter((t) => s.targets.includes(t)) : [];
  for (let i = 0; i < c.layers; i++) {
    for (const t of s.targets) {
      if (fused.includes(t)) continue;
      const module = modulesOf(c)[t]!;
      modules.add(module);
      const a = params.get(`h.${i}.${t}.lora_A`)!;
      const b = params.get(`h.${i}.${t}.lora_B`)!;
      const [din, r] = a.shape as [number, number];
      const dout = b.shape[1]!;
      tensors.set(`${prefix}${i}.${module}.lora_A.weight`, { shape: [r, din], data: transpose(await read(params, `h.${i}.${t}.lora_A`), din, r) });
      tensors.set(`${prefix}${i}.${module}.lora_B.weight`, { shape: [dout, r], data: transpose(await read(params, `h.${i}.${t}.lora_B`), r, dout) });
    }
    if (fused.length) {
      // c_attn's output columns are q|k|v, each `width` wide; the fused adapter stacks the ranks.
      const d = c.width;
      const r = s.rank * fused.length;
      const A = new Float32Array(r * d);
      const B = new Float32Array(3 * d * r);
      for (const [j, t] of fused.entries()) {
        const a = await read(params, `h.${i}.${t}.lora_A`); // [d, rank]
        const b = await read(params, `h.${i}.${t}.lora_B`); // [rank, d]
        const block = QKV.indexOf(t);
        for (let k = 0; k < s.rank; k++) {
          for (let x = 0; x < d; x++) A[(j * s.rank + k) * d + x] = a[x * s.rank + k]!;
          for (let o = 0; o < d; o++) B[(block * d + o) * r + j * s.rank + k] = b[k * d + o]!;
        }
      }
      modules.add('attn.c_attn');
      tensors.set(`${prefix}${i}.attn.c_attn.lora_A.weight`, { shape: [r, d], data: A });
      tensors.set(`${prefix}${i}.attn.c_attn.lora_B.weight`, { shape: [3 * d, r], data: B });
    }
  }
  const names = [...modules].map((m) => m.split('.').at(-1)!);
  // GPT-2 has two modules named c_proj, BERT five named dense: a regex names exactly the ones adapted.
  const targetModules = gpt2
    ? `.*\\.h\\.\\d+\\.(${[...modules].map((m) => m.replace('.', '\\.')).join('|')})$`
    : encoder
      ? `.*\\.layer\\.\\d+\\.(${[...modules].map((m) => m.replaceAll('.', '\\.')).join('|')})$`
      : [...new Set(names)];
  // A classifier's head learns beside the adapters: PEFT keeps such modules whole (modules_to_save).
  const saved = c.numClasses ? (encoder ? (c.family === 'bert' ? ['classifier', 'pooler'] : ['classifier']) : ['score']) : [];
  if (encoder && c.numClasses) for (const [name, t] of await encoderHeadTensors(params, c)) tensors.set(name, t);
  const config_ = {
    peft_type: 'LORA',
    // PEFT has no masked-LM task type: an encoder's masked-LM adapter names none (PeftModel, not a task subclass).
    task_type: c.numClasses ? 'SEQ_CLS' : encoder ? null : 'CAUSAL_LM',
    base_model_name_or_path: baseModel,
    r: s.rank,
    lora_alpha: s.alpha,
    lora_dropout: 0,
    bias: 'none',
    fan_in_fan_out: gpt2,
    target_modules: targetModules,
    // The fused c_attn adapter has a larger rank; its alpha grows with it so alpha / r stays the same.
    rank_pattern: fused.length > 1 ? { c_attn: s.rank * fused.length } : {},
    alpha_pattern: fused.length > 1 ? { c_attn: s.alpha * fused.length } : {},
    inference_mode: true,
    ...(saved.length ? { modules_to_save: saved } : {}),
  };
  writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify(config_, null, 2) + '\n');
  writeFileSync(join(dir, 'adapter_model.safetensors'), encodeSafetensors(tensors, { format: 'pt' }));
}

/** An encoder classifier's pooler and classifier, as PEFT saves modules_to_save (torch's [out, in]). */
async function encoderHeadTensors(params: Params, c: ReturnType<typeof shapeOf>): Promise<Array<[string, { shape: number[]; data: Float32Array }]>> {
  const bert = c.family === 'bert';
  const pooler = bert ? 'base_model.model.bert.pooler.dense.' : 'base_model.model.classifier.dense.';
  const score = bert ? 'base_model.model.classifier.' : 'base_model.model.classifier.out_proj.';
  const d = c.width;
  const k = c.numClasses;
  return [
    [pooler + 'weight', { shape: [d, d], data: transpose(await read(params, 'pooler.weight'), d, d) }],
    [pooler + 'bias', { shape: [d], data: await read(params, 'pooler.bias') }],
    [score + 'weight', { shape: [k, d], data: transpose(await read(params, 'score.weight'), d, k) }],
    [score + 'bias', { shape: [k], data: await read(params, 'score.bias') }],
  ];
}

/**
 * Merges a PEFT LoRA adapter into the weights: W += (alpha / r) · Aᵀ·Bᵀ in Weft's orientation.
 * Returns how many matrices changed. Refuses adapters it cannot apply exactly (DoRA, rsLoRA-less
 * scalings it does not know, modules this model does not have).
 */
export function mergePeftAdapter(dir: string, params: Params, config: GptConfig): number {
  const c = shapeOf(config);
  const cfgFile = join(dir, 'adapter_config.json');
  if (!existsSync(cfgFile)) throw new Error(`${dir} has no adapter_config.json; a PEFT adapter folder holds adapter_config.json and adapter_model.safetensors`);
  const cfg = JSON.parse(readFileSync(cfgFile, 'utf8')) as Record<string, unknown>;
  if (cfg.peft_type !== 'LORA') throw new Error(`${cfgFile}: peft_type "${String(cfg.peft_type)}" is not supported (LORA only)`);
  if (cfg.use_dora === true) throw new Error(`${cfgFile}: use_dora: DoRA adapters are not supported`);
  const r = Number(cfg.r);
  const alpha = Number(cfg.lora_alpha);
  const rankPattern = (cfg.rank_pattern ?? {}) as Record<string, number>;
  const alphaPattern = (cfg.alpha_pattern ?? {}) as Record<string, number>;
  const weights = join(dir, 'adapter_model.safetensors');
  if (!existsSync(weights)) throw new Error(`${dir} has no adapter_model.safetensors`);
  const { tensors } = readSafetensors(weights);
  const gpt2 = c.family === 'gpt2';
  const toWeft = Object.fromEntries(Object.entries(modulesOf(c)).map(([w, m]) => [m, w]));
  let merged = 0;
  for (const [name, a] of tensors) {
    const m = /^(?:base_model\.model\.)?(?:transformer\.h|model\.layers|(?:bert|roberta)\.encoder\.layer)\.(\d+)\.(.+)\.lora_A(?:\.default)?\.weight$/.exec(name);
    if (!m) continue;
    const layer = Number(m[1]);
    const module = m[2]!;
    const b = tensors.get(name.replace('lora_A', 'lora_B'));
    if (!b) throw new Error(`${weights}: ${name} has no lora_B`);
    const short = module.split('.').at(-1)!;
    const rank = rankPattern[short] ?? rankPattern[module] ?? r;
    const scale = (alphaPattern[short] ?? alphaPattern[module] ?? alpha) / rank;
    const A = a.data as Float32Array; // [rank, in]
    const B = b.data as Float32Array; // [out, rank]
    const [rk, din] = a.shape as [number, number];
    const dout = b.shape[0]!;
    // delta [in, out] = Aᵀ · Bᵀ · scale
    const delta = tf.tidy(() => tf.mul(tf.matMul(tf.tensor2d(A, [rk, din]), tf.tensor2d(B, [dout, rk]), true, true), scale));
    const targets: Array<{ weft: string; cols: [number, number] }> =
      gpt2 && module === 'attn.c_attn'
        ? QKV.map((t, i) => ({ weft: t, cols: [i * c.width, (i + 1) * c.width] as [number, number] }))
        : toWeft[module]
          ? [{ weft: toWeft[module]!, cols: [0, dout] }]
          : [];
    if (!targets.length) {
      delta.dispose();
      throw new Error(`${weights}: module "${module}" does not exist in this ${c.family} model`);
    }
    for (const t of targets) {
      const w = params.get(`h.${layer}.${t.weft}.weight`);
      if (!w) throw new Error(`${weights}: this model has no layer ${layer} ${t.weft}`);
      tf.tidy(() => w.assign(tf.add(w, tf.slice(delta, [0, t.cols[0]], [din, t.cols[1] - t.cols[0]]))));
    }
    delta.dispose();
    merged++;
  }
  if (!merged) throw new Error(`${weights}: no LoRA tensors found`);
  return merged;
}
