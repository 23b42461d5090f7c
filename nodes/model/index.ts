import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, fromHfConfig } from '../lib/hf-config.ts';
import { hubModelIdProblem, isCommitHash, revisionProblem } from '../lib/hub/repo.ts';
import { defineNode, nodeSpec, type NodeProblem } from '../sdk/index.ts';

/** What a model folder needs, checked at validation so a bad folder is refused before the run. */
export function checkModelFolder(folder: string): NodeProblem[] {
  const config = join(folder, 'config.json');
  if (!existsSync(config)) return [{ param: 'folder', message: `${folder} has no config.json; a model folder holds config.json, the weights (model.safetensors) and tokenizer.json` }];
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    return [{ param: 'folder', message: `${config}: not valid JSON (${(e as Error).message})` }];
  }
  try {
    fromHfConfig(raw, config);
  } catch (e) {
    if (e instanceof ConfigError) return [{ param: 'folder', message: e.message }];
    throw e;
  }
  const problems: NodeProblem[] = [];
  if (!existsSync(join(folder, 'model.safetensors')) && !existsSync(join(folder, 'model.safetensors.index.json'))) {
    problems.push({ param: 'folder', message: `${folder} has no weights (model.safetensors, or model.safetensors.index.json with its shards)` });
  }
  if (!existsSync(join(folder, 'tokenizer.json'))) problems.push({ param: 'folder', message: `${folder} has no tokenizer.json` });
  return problems;
}

/** A PEFT LoRA adapter folder, checked at validation. */
export function checkAdapterFolder(folder: string): NodeProblem[] {
  const config = join(folder, 'adapter_config.json');
  if (!existsSync(config)) return [{ param: 'adapter', message: `${folder} has no adapter_config.json; a PEFT adapter folder holds adapter_config.json and adapter_model.safetensors` }];
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    return [{ param: 'adapter', message: `${config}: not valid JSON (${(e as Error).message})` }];
  }
  if (raw.peft_type !== 'LORA') return [{ param: 'adapter', message: `${config}: peft_type "${String(raw.peft_type)}" is not supported (LORA only)` }];
  if (!existsSync(join(folder, 'adapter_model.safetensors'))) return [{ param: 'adapter', message: `${folder} has no adapter_model.safetensors` }];
  return [];
}

export const spec = nodeSpec({
  type: 'model',
  version: 2,
  category: 'Model',
  label: 'Model',
  description:
    'A new model with seeded initialisation (GPT-2 or Llama decoder, or a BERT masked-LM encoder), a model folder in the Hugging Face layout, or a model from the Hugging Face Hub (downloaded once into the workspace cache): GPT-2, Llama (2, 3, TinyLlama, SmolLM), Mistral, Qwen2, Qwen3, or a BERT or RoBERTa encoder.',
  inputs: { tokenizer: { type: 'Tokenizer', optional: true, description: 'Sets the vocabulary of a new model.' } },
  outputs: { model: { type: 'Model' } },
  params: {
    source: { kind: 'enum', options: ['new', 'folder', 'hub'], default: 'new', help: 'new: initialised from the seed. folder: a model folder on disk. hub: a model on the Hugging Face Hub.' },
    architecture: {
      kind: 'enum',
      options: ['gpt2', 'llama', 'encoder'],
      default: 'gpt2',
      help: "gpt2: GPT-2 decoder (learned positions, LayerNorm, GELU). llama: Llama decoder (rotary positions, RMSNorm, SwiGLU, grouped-query attention). encoder: BERT, a bidirectional encoder for masked LM and classification (post-LN, token types, exact GELU, masked-LM head; transformers loads it as BertForMaskedLM). Its tokenizer needs a mask token (add <mask> to the tokenizer's special tokens).",
    },
    layers: { kind: 'integer', default: 4, min: 1, max: 48 },
    heads: { kind: 'integer', default: 4, min: 1, max: 64 },
    kvHeads: { kind: 'integer', default: 0, min: 0, max: 64, label: 'Key/value heads', help: 'Llama: heads for keys and values (grouped-query attention, fewer saves memory); 0 means as many as heads.' },
    width: { kind: 'integer', default: 128, min: 8, max: 4096, help: 'Embedding size; a multiple of heads.' },
    mlpWidth: { kind: 'integer', default: 0, min: 0, max: 65536, label: 'MLP width', help: '0: 4 x width for GPT-2 and BERT, 8/3 x width (rounded up to a multiple of 16) for Llama.' },
    context: { kind: 'integer', default: 128, min: 8, max: 8192, help: 'Longest sequence, in tokens.' },
    ropeTheta: { kind: 'number', default: 10000, min: 1, max: 1e9, label: 'RoPE base', help: 'Llama: base of the rotary position frequencies.' },
    dropout: { kind: 'number', default: 0.1, min: 0, max: 0.9 },
    tiedEmbeddings: { kind: 'boolean', default: true, help: "The output layer reuses the token embeddings (as GPT-2, BERT's masked-LM decoder and SmolLM do), which saves vocabulary x width parameters." },
    estimateBatch: { kind: 'integer', default: 16, min: 1, max: 4096, help: 'Batch size for the memory estimate.' },
    folder: { kind: 'folder', default: '', help: 'For source "folder": a Hugging Face model folder (config.json, model.safetensors or its shards, tokenizer.json): a GPT-2, Llama, Mistral, Qwen2 or Qwen3 decoder, or a BERT or RoBERTa encoder (masked LM or sequence classifier).' },
    hubModel: {
      kind: 'string',
      default: '',
      maxLength: 200,
      label: 'Hub model',
      help: 'For source "hub": the model id on the Hugging Face Hub, owner/name (e.g. HuggingFaceTB/SmolLM2-135M-Instruct). Gated or private models need the HF_TOKEN environment variable.',
    },
    revision: {
      kind: 'string',
      default: 'main',
      maxLength: 200,
      help: 'For source "hub": a branch, tag or commit. The commit a branch resolves to is recorded with the run, and replay uses that commit.',
    },
    adapter: {
      kind: 'folder',
      default: '',
      label: 'LoRA adapter',
      help: 'Optional, for sources "folder" and "hub": a PEFT LoRA adapter folder (adapter_config.json, adapter_model.safetensors), merged into the model.',
    },
    offline: { kind: 'boolean', default: false, help: 'For source "hub": use only the workspace\'s model cache, never the network.' },
  },
  validate(p, connected) {
    const problems: NodeProblem[] = [];
    if (p.source === 'new' && p.width % p.heads !== 0) problems.push({ param: 'width', message: `width ${p.width} must be a multiple of heads (${p.heads})` });
    if (p.source === 'new' && p.architecture === 'llama' && (p.width / p.heads) % 2 !== 0) problems.push({ param: 'width', message: `width / heads (${p.width / p.heads}) must be even for rotary positions` });
    if (p.source === 'new' && p.kvHeads > 0 && p.heads % p.kvHeads !== 0) problems.push({ param: 'kvHeads', message: `key/value heads (${p.kvHeads}) must divide heads (${p.heads})` });
    if (p.source === 'new' && !connected.includes('tokenizer')) problems.push({ port: 'tokenizer', message: 'a new model needs a tokenizer for its vocabulary' });
    if (p.source === 'folder' && !p.folder) problems.push({ param: 'folder', message: 'choose a model folder' });
    if (p.source === 'hub') {
      const idProblem = hubModelIdProblem(p.hubModel);
      if (idProblem) problems.push({ param: 'hubModel', message: idProblem });
      const revProblem = revisionProblem(p.revision);
      if (revProblem) problems.push({ param: 'revision', message: revProblem });
    }
    return problems;
  },
  pinForReplay(params, outputs) {
    // A Hub model replays with the commit its run downloaded, wherever the branch has moved since.
    const commit = (outputs.model as { source?: { commit?: unknown } } | undefined)?.source?.commit;
    if (params.source !== 'hub' || typeof commit !== 'string' || !isCommitHash(commit) || params.revision === commit) return undefined;
    return { ...params, revision: commit };
  },
  checkFiles(p) {
    const problems = p.source === 'folder' && p.folder ? checkModelFolder(p.folder) : [];
    if (p.adapter && p.source !== 'new') problems.push(...checkAdapterFolder(p.adapter));
    return problems;
  },
  migrate(params, from) {
    // Version 1 called GPT-2 "decoder".
    if (from < 2 && params.architecture === 'decoder') return { ...params, architecture: 'gpt2' };
    return params;
  },
});

export default defineNode(spec, () => import('./run.ts'));
