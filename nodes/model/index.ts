import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, fromHfConfig } from '../lib/hf-config.ts';
import { parameterCount } from '../lib/memory-estimate.ts';
import { cachedSnapshotDir, hubModelIdProblem, isCommitHash, revisionProblem } from '../lib/hub/repo.ts';
import { newModel } from '../lib/new-model.ts';
import { defineNode, nodeSpec, type ModelConfig, type NodeProblem } from '../sdk/index.ts';

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

/** A folder's model shape from its config.json, or undefined when it cannot be read (checkFiles says why). */
function folderModel(folder: string | undefined): ModelConfig | undefined {
  if (!folder) return undefined;
  const file = join(folder, 'config.json');
  if (!existsSync(file)) return undefined;
  return fromHfConfig(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>, file);
}

/** A Hub model's shape from the workspace cache, when a run has downloaded that revision before; unknown otherwise. */
function cachedHubModel(workspace: string | undefined, id: string, revision: string): ModelConfig | undefined {
  const dir = workspace ? cachedSnapshotDir(workspace, id, revision) : null;
  return dir ? folderModel(dir) : undefined;
}

/** Shape settings describe a new model; a loaded one has its own (shown after it runs). */
const NEW = { param: 'source', is: ['new'] } as const;
const HUB = { param: 'source', is: ['hub'] } as const;

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
      help: 'The model\'s design. gpt2 and llama write text one token after another (Llama is the newer design most open models use); encoder (BERT) reads the whole text at once, for filling in masked words and for classification; transformers loads it as BertForMaskedLM. Its tokenizer needs a mask token (<mask> among the tokenizer\'s special tokens).',
      when: NEW,
    },
    layers: { kind: 'integer', default: 4, min: 1, max: 48, help: 'How many transformer blocks are stacked: more layers learn more complex patterns, slower.', when: NEW },
    heads: { kind: 'integer', default: 4, min: 1, max: 64, help: 'Attention heads per layer: each looks back over the text for a different kind of relation.', when: NEW },
    kvHeads: { kind: 'integer', default: 0, min: 0, max: 64, label: 'Key/value heads', help: 'Llama: how many heads keep their own memory of the text; fewer (shared between heads) saves memory when generating. 0 means as many as heads.', when: { all: [NEW, { param: 'architecture', is: ['llama'] }] } },
    width: { kind: 'integer', default: 128, min: 8, max: 4096, help: 'How many numbers describe each token inside the model; wider learns more, slower. A multiple of heads.', when: NEW },
    mlpWidth: { kind: 'integer', default: 0, min: 0, max: 65536, label: 'MLP width', help: 'Size of the inner layer of each block\'s feed-forward part. 0: 4 x width for GPT-2 and BERT, 8/3 x width (rounded up to a multiple of 16) for Llama.', when: NEW },
    context: { kind: 'integer', default: 128, min: 8, max: 8192, help: 'The longest text the model reads at once, in tokens.', when: NEW },
    ropeTheta: { kind: 'number', default: 10000, min: 1, max: 1e9, label: 'RoPE base', help: 'Llama: how position in the text is encoded (the base of its rotating frequencies); larger suits longer contexts. 10000 is the usual value.', when: { all: [NEW, { param: 'architecture', is: ['llama'] }] } },
    dropout: { kind: 'number', default: 0.1, min: 0, max: 0.9, help: 'Share of values randomly zeroed while training, so the model does not memorise its data; 0 for none.', when: NEW },
    tiedEmbeddings: { kind: 'boolean', default: true, label: 'Tied embeddings', help: 'The table that turns tokens into numbers at the input is also used to turn numbers back into tokens at the output, so the model is smaller (GPT-2 and SmolLM do this).', when: NEW },
    estimateBatch: { kind: 'integer', default: 16, min: 1, max: 4096, label: 'Estimate batch', help: 'Only for the memory figure shown after this node runs: how much memory training would need with this many sequences at once. Training uses its own batch size.', when: NEW },
    folder: { kind: 'folder', default: '', help: 'A Hugging Face model folder (config.json, model.safetensors or its shards, tokenizer.json): a GPT-2, Llama, Mistral, Qwen2 or Qwen3 decoder, or a BERT or RoBERTa encoder (masked LM or sequence classifier).', when: { param: 'source', is: ['folder'] } },
    hubModel: {
      kind: 'string',
      default: '',
      maxLength: 200,
      label: 'Hub model',
      help: 'The model id on the Hugging Face Hub, owner/name (e.g. HuggingFaceTB/SmolLM2-135M-Instruct). Gated or private models need the HF_TOKEN environment variable.',
      when: HUB,
    },
    revision: {
      kind: 'string',
      default: 'main',
      maxLength: 200,
      help: 'A branch, tag or commit of the Hub model. The commit a branch resolves to is recorded with the run, and replay uses that commit.',
      when: HUB,
    },
    adapter: {
      kind: 'folder',
      default: '',
      label: 'LoRA adapter',
      help: 'Optional: a folder of LoRA adapter weights (small add-on weights from a fine-tune, in PEFT\'s layout: adapter_config.json, adapter_model.safetensors), merged into the model.',
      when: { param: 'source', not: ['new'] },
    },
    offline: { kind: 'boolean', default: false, help: 'Use only the workspace\'s copy of models downloaded before, never the network.', when: HUB },
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
  // A new model is built in memory before any trainer can check it: its weights alone must fit.
  validateWithInputs(p, inputs, { memory }) {
    if (p.source !== 'new' || !memory?.totalBytes) return [];
    const parameters = parameterCount(newModel(p, inputs.tokenizer?.vocabSize));
    const bytes = parameters * 4;
    if (bytes <= memory.totalBytes) return [];
    const gib = (b: number) => (b / 1024 ** 3).toFixed(1);
    const message = `${memory.likely ?? ''}a new model of ${parameters.toLocaleString('en-US')} parameters needs ${gib(bytes)} GiB for its weights alone, more than ${memory.describe('total')} allows (${gib(memory.totalBytes)} GiB). Use fewer layers or a smaller width.`;
    return [{ param: 'width', message: message.charAt(0).toUpperCase() + message.slice(1), ...(memory.likely ? { severity: 'warning' as const } : {}) }];
  },
  outputFacts(p, inputs, env) {
    const model =
      p.source === 'new' ? newModel(p, inputs.tokenizer?.vocabSize) : p.source === 'folder' ? folderModel(p.folder ? env.resolvePath?.(p.folder) : undefined) : cachedHubModel(env.workspace, p.hubModel, p.revision);
    return model ? { model: { model } } : {};
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
