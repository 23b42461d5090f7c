import { constants, copyFileSync, linkSync } from 'node:fs';
import { join } from 'node:path';
import { useBestBackend } from '../lib/backend.ts';
import { initParams, disposeParams } from '../lib/gpt/model.ts';
import { copyModelFolder, inspectModelFolder, loadModelFolder } from '../lib/gpt/io.ts';
import { saveModelFolder } from '../lib/sized-write.ts';
import { mergePeftAdapter } from '../lib/gpt/peft.ts';
import { parameterCount, trainingBytes, type GptConfig } from '../lib/gpt/config.ts';
import { TextTokenizer, EOS } from '../lib/tokenizer.ts';
import { hubCacheDir } from '../lib/hub/repo.ts';
import type { RunOf } from '../sdk/index.ts';
import { newModel } from '../lib/new-model.ts';
import type { spec } from './index.ts';

const GIB = 1024 ** 3;
const MB = 1024 * 1024;
const DEFAULT_HUB_URL = 'https://huggingface.co';

/** The artifact holds the snapshot's files as hard links to the cache's blobs (copies where links fail): no second copy of the weights. */
function linkFiles(from: string, files: readonly string[], to: string): void {
  for (const name of files) {
    try {
      linkSync(join(from, name), join(to, name));
    } catch {
      copyFileSync(join(from, name), join(to, name), constants.COPYFILE_FICLONE);
    }
  }
}

/**
 * With a PEFT adapter: the base is loaded, the adapter merged in, and the result saved (float32)
 * as the node's model. Returns its config.
 */
async function mergeAdapter(baseDir: string, adapterDir: string, artifactDir: string, log: (m: string) => void): Promise<GptConfig> {
  const { config, params } = loadModelFolder(baseDir);
  try {
    const merged = mergePeftAdapter(adapterDir, params, config);
    log(`merged the LoRA adapter of ${adapterDir} into ${merged} matrices`);
    await saveModelFolder(artifactDir, params, config, join(baseDir, 'tokenizer.json'));
    return config;
  } finally {
    disposeParams(params);
  }
}

const run: RunOf<typeof spec> = async (inputs, p, ctx) => {
  const backend = await useBestBackend();
  if (p.source === 'folder' && p.adapter) {
    const config = await mergeAdapter(p.folder, p.adapter, ctx.artifactDir, (m) => ctx.log.info(m));
    const handle = { kind: 'model' as const, dir: ctx.artifactDir, parameters: parameterCount(config), config };
    return { outputs: { model: handle }, metrics: { parameters: handle.parameters }, backend };
  }
  if (p.source === 'folder') {
    // The folder is copied as it is (its dtype, its shards): the weights are checked, not converted.
    const config = inspectModelFolder(p.folder);
    TextTokenizer.fromFile(join(p.folder, 'tokenizer.json'));
    copyModelFolder(p.folder, ctx.artifactDir);
    const handle = { kind: 'model' as const, dir: ctx.artifactDir, parameters: parameterCount(config), config };
    ctx.log.info(`${config.family ?? 'gpt2'} model, ${handle.parameters.toLocaleString('en-US')} parameters, context ${config.contextLength}`);
    const metrics: Record<string, number> = { parameters: handle.parameters };
    return { outputs: { model: handle }, metrics, backend };
  }
  if (p.source === 'hub') {
    // The token is read here, in the worker, from the environment: never a param, never logged or recorded.
    const token = process.env.HF_TOKEN?.trim() || undefined;
    const hubUrl = (process.env.WEFT_HUB_URL?.trim() || DEFAULT_HUB_URL).replace(/\/+$/, '');
    const progressEvery = { at: 0 };
    // The Hub client loads only for Hub models (about 80 ms).
    const { fetchHubModel } = await import('../lib/hub/download.ts');
    const snap = await fetchHubModel({
      id: p.hubModel,
      revision: p.revision,
      offline: p.offline,
      cacheDir: hubCacheDir(ctx.workspace),
      hubUrl,
      token,
      signal: ctx.signal,
      log: (m) => ctx.log.info(m),
      progress: async (done, total) => {
        const step = total > 0 ? Math.floor((1000 * done) / total) : 1000;
        if (step === progressEvery.at && done < total) return;
        progressEvery.at = step;
        await ctx.progress({ step, total: 1000, metrics: { downloadedMB: done / MB, totalMB: total / MB } });
      },
    });
    let config: GptConfig;
    if (p.adapter) config = await mergeAdapter(snap.dir, p.adapter, ctx.artifactDir, (m) => ctx.log.info(m));
    else {
      config = inspectModelFolder(snap.dir);
      TextTokenizer.fromFile(join(snap.dir, 'tokenizer.json'));
      linkFiles(snap.dir, snap.files, ctx.artifactDir);
    }
    const handle = {
      kind: 'model' as const,
      dir: ctx.artifactDir,
      parameters: parameterCount(config),
      config,
      source: { hub: p.hubModel, revision: p.revision, commit: snap.commit },
    };
    ctx.log.info(`${p.hubModel} at ${snap.commit.slice(0, 12)}: ${config.family ?? 'gpt2'} model, ${handle.parameters.toLocaleString('en-US')} parameters, context ${config.contextLength}`);
    const metrics: Record<string, number> = { parameters: handle.parameters, downloadedMB: snap.downloadedBytes / MB, modelMB: snap.totalBytes / MB };
    if (snap.downloadedBytes > 0) metrics.downloadMBps = snap.downloadedBytes / MB / Math.max(snap.seconds, 1e-3);
    return { outputs: { model: handle }, metrics, backend };
  }
  const tokHandle = inputs.tokenizer;
  if (!tokHandle) throw new Error('a new model needs a tokenizer for its vocabulary');
  const tok = TextTokenizer.fromFile(tokHandle.path);
  const encoder = p.architecture === 'encoder';
  const eos = tok.specials[EOS];
  const pad = tok.specials['<pad>'] ?? tok.specials['[PAD]'] ?? eos;
  const config: GptConfig = {
    ...newModel(p, tok.vocabSize),
    maskTokenId: encoder ? (tok.specials['<mask>'] ?? tok.specials['[MASK]'] ?? eos ?? -1) : -1,
    ...(eos !== undefined ? { eosTokenId: eos, bosTokenId: eos } : {}),
    ...(encoder && pad !== undefined ? { padTokenId: pad } : {}),
  };
  const params = initParams(config, ctx.seed);
  const handle = await saveModelFolder(ctx.artifactDir, params, config, tokHandle.path);
  disposeParams(params);
  const bytes = trainingBytes(config, p.estimateBatch);
  ctx.log.info(`${parameterCount(config).toLocaleString('en-US')} parameters; training at batch ${p.estimateBatch} needs about ${(bytes / GIB).toFixed(2)} GiB`);
  return { outputs: { model: handle }, metrics: { parameters: parameterCount(config), trainingMemoryGiB: bytes / GIB }, backend };
};

export default run;
