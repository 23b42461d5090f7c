/**
 * Starting and stopping endpoints. An endpoint is a detached process of its own (main.ts), so it
 * outlives the worker, the run and the editor that started it; it registers itself in the workspace
 * (registry.ts) and is stopped through its own authenticated /weft/stop. Deploying the same model
 * under the same name again reuses the running endpoint when nothing changed, and replaces it
 * otherwise: never two processes for one id.
 */
import { ggufWeightsOf } from '../gguf/weights-file.ts';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { endpointSnippets, type EndpointInfo, type RevealedEndpointKey } from '../../sdk/endpoints.ts';
import {
  describeEndpoint,
  endpointFiles,
  ensureEndpointsDir,
  listRecords,
  probeEndpoint,
  processIsEndpoint,
  readKey,
  readRecord,
  removeEndpointFiles,
  writeKey,
  writeRecord,
  type EndpointRecord,
} from './registry.ts';

export interface DeployOptions {
  workspace: string;
  /** A Weft model folder or a .gguf file. */
  modelPath: string;
  /** The model name clients send; the folder's or file's name when empty. */
  name?: string;
  host?: string;
  port?: number;
  queueLimit?: number;
  maxTokens?: number;
  bodyLimit?: number;
  /** For a .gguf: llama.cpp (default) or Weft (not available until Weft reads GGUF). */
  ggufBackend?: 'llama.cpp' | 'weft';
  /** How long loading the model may take. */
  startTimeoutMs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface Deployed {
  info: EndpointInfo;
  /** The bearer key (the caller decides whether to show it). */
  key: string;
  /** The endpoint that already ran this model with these settings was kept. */
  reused: boolean;
}

export const DEFAULTS = { host: '127.0.0.1', port: 0, queueLimit: 8, maxTokens: 2048, bodyLimit: 1024 * 1024 };

/** A file name made of the model name: lower-case letters, digits, dashes. */
function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'model'
  );
}

/** Same model under the same name: the same id, so a second deploy finds the first. */
export function endpointIdFor(modelPath: string, name: string | undefined): string {
  if (name) return slug(name);
  return `${slug(basename(modelPath).replace(/\.gguf$/i, ''))}-${createHash('sha256').update(resolve(modelPath)).digest('hex').slice(0, 6)}`;
}

/** Which file holds the weights, and a stamp of it (a retrained model in the same folder has new weights). */
export function modelStamp(modelPath: string): { kind: 'folder' | 'gguf'; stamp: string } {
  const path = resolve(modelPath);
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  const st = statSync(path);
  if (st.isDirectory()) {
    // The weights as Weft's loader finds them: one safetensors file, its shards' index, or a GGUF (Quantize, Export).
    const weights = [join(path, 'model.safetensors'), join(path, 'model.safetensors.index.json')].find((f) => existsSync(f)) ?? ggufWeightsOf(path);
    if (!weights) throw new Error(`${path} is not a Weft model folder: it has no model.safetensors (or shards, or one .gguf)`);
    if (!existsSync(join(path, 'config.json'))) throw new Error(`${path} is not a Weft model folder: it has no config.json`);
    const w = statSync(weights);
    return { kind: 'folder', stamp: `${weights}|${w.size}|${w.mtimeMs}` };
  }
  if (!/\.gguf$/i.test(path)) throw new Error(`${path} is neither a model folder nor a .gguf file`);
  return { kind: 'gguf', stamp: `${path}|${st.size}|${st.mtimeMs}` };
}

/**
 * The Node.js that runs an endpoint. In the desktop app process.execPath is Electron, which runs as
 * Node only with the RunAsNode fuse Weft keeps off: there it is the `node` on PATH (or WEFT_NODE).
 */
function nodeBinary(): string {
  return process.versions.electron ? process.env.WEFT_NODE || 'node' : process.execPath;
}

/** The built endpoint entry's path, defined by the CLI build (bin/cli-build.js); not defined elsewhere. */
declare const __WEFT_BUILD_ENDPOINT__: string | undefined;

/**
 * The built endpoint entry (plain JavaScript, no TypeScript to compile at start): the one of the build
 * this code runs from, else the fresh build of the current sources when one exists; null when neither.
 */
async function builtEndpoint(): Promise<string | null> {
  if (process.env.WEFT_SOURCE === '1') return null;
  if (typeof __WEFT_BUILD_ENDPOINT__ === 'string' && existsSync(__WEFT_BUILD_ENDPOINT__)) return __WEFT_BUILD_ENDPOINT__;
  try {
    const { freshBuild } = (await import(pathToFileURL(fileURLToPath(new URL('../../../bin/cli-build.js', import.meta.url))).href)) as { freshBuild(): string | null };
    const dir = freshBuild();
    return dir && existsSync(join(dir, 'endpoint.js')) ? join(dir, 'endpoint.js') : null;
  } catch {
    return null; // no bin/ beside the sources (a packaged app): the sources through tsx
  }
}

/** How a new process runs the endpoint: the built entry when there is one, else the TypeScript entry through tsx (seconds slower). */
async function entryCommand(recordPath: string): Promise<string[]> {
  const built = await builtEndpoint();
  if (built) return ['--enable-source-maps', built, recordPath];
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsx, main, recordPath];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function sameSettings(a: EndpointRecord, b: EndpointRecord): boolean {
  return (
    a.modelPath === b.modelPath &&
    a.modelStamp === b.modelStamp &&
    a.name === b.name &&
    a.backend === b.backend &&
    a.host === b.host &&
    (b.requestedPort === 0 || a.port === b.requestedPort) &&
    a.queueLimit === b.queueLimit &&
    a.maxTokens === b.maxTokens &&
    a.bodyLimit === b.bodyLimit
  );
}

interface Prepared {
  id: string;
  files: ReturnType<typeof endpointFiles>;
  record: EndpointRecord;
  modelPath: string;
}

/**
 * What deploying means before any process starts: the id, the record, and the endpoint already
 * there under that id, reused when it serves the same weights with the same settings, else stopped.
 */
async function prepare(o: DeployOptions): Promise<Prepared | Deployed> {
  const modelPath = resolve(o.modelPath);
  const { kind, stamp } = modelStamp(modelPath);
  const backend = kind === 'folder' ? 'weft' : (o.ggufBackend ?? 'llama.cpp');
  if (kind === 'gguf' && backend === 'weft') throw new Error('a lone .gguf file is served by llama.cpp; Weft serves GGUF weights from a model folder (from Quantize or Export) that holds its config and tokenizer');
  const name = o.name?.trim() || basename(modelPath).replace(/\.gguf$/i, '');
  const id = endpointIdFor(modelPath, o.name?.trim());
  ensureEndpointsDir(o.workspace);
  const files = endpointFiles(o.workspace, id);
  const record: EndpointRecord = {
    id,
    name,
    modelPath,
    backend,
    host: o.host ?? DEFAULTS.host,
    requestedPort: o.port ?? DEFAULTS.port,
    queueLimit: o.queueLimit ?? DEFAULTS.queueLimit,
    maxTokens: o.maxTokens ?? DEFAULTS.maxTokens,
    bodyLimit: o.bodyLimit ?? DEFAULTS.bodyLimit,
    modelStamp: stamp,
    createdAt: new Date().toISOString(),
    state: 'starting',
  };
  const existing = readRecord(files.record);
  if (existing) {
    const key = existsSync(files.key) ? readKey(files.key) : '';
    if (key && sameSettings(existing, record) && (await probeEndpoint(existing, key))) {
      o.log?.(`endpoint ${id} already serves this model with these settings: reusing it`);
      return { info: await describeEndpoint(o.workspace, existing), key, reused: true };
    }
    o.log?.(`replacing endpoint ${id} (${existing.modelPath === modelPath ? 'new weights or settings' : `it served ${existing.modelPath}`})`);
    await stopEndpoint(o.workspace, id);
  }
  return { id, files, record, modelPath };
}

const newKey = () => `sk-weft-${randomBytes(24).toString('base64url')}`;

/**
 * Serves in this process until stopped (`weft deploy --foreground`); onServing gets the endpoint
 * once it answers. Another deploy or `weft endpoints stop` can still stop it.
 */
export async function serveInForeground(o: DeployOptions, onServing: (d: Deployed) => void): Promise<void> {
  const prepared = await prepare(o);
  if ('info' in prepared) throw new Error(`endpoint ${prepared.info.id} already serves this model at ${prepared.info.url}; stop it first (weft endpoints stop ${prepared.info.id})`);
  const key = newKey();
  writeKey(prepared.files.key, key);
  writeRecord(prepared.files.record, prepared.record);
  const { serveRecord } = await import('./serve-record.ts');
  try {
    await serveRecord(prepared.files.record, o.log, async (record) => onServing({ info: await describeEndpoint(o.workspace, record), key, reused: false }));
  } catch (e) {
    // It never served (the model did not load, the port was taken): nothing stays registered.
    if (readRecord(prepared.files.record)?.pid === process.pid) removeEndpointFiles(o.workspace, prepared.id);
    throw e;
  }
}

/** Starts an endpoint for a model in a detached process, or reuses the one already serving it unchanged; resolves once it answers. */
export async function deployEndpoint(o: DeployOptions): Promise<Deployed> {
  const prepared = await prepare(o);
  if ('info' in prepared) return prepared;
  const { id, files, record: wanted, modelPath } = prepared;
  const key = newKey();
  writeKey(files.key, key);
  writeRecord(files.record, wanted);
  const logFd = openSync(files.log, 'w', 0o600);
  const child = spawn(nodeBinary(), await entryCommand(files.record), { detached: true, stdio: ['ignore', logFd, logFd], env: process.env, windowsHide: true });
  closeSync(logFd);
  let exited: number | string | null | undefined;
  child.once('exit', (code, signal) => (exited = code ?? signal));
  child.once('error', (e) => (exited = e.message));
  child.unref();

  const deadline = Date.now() + (o.startTimeoutMs ?? 180_000);
  const fail = async (why: string): Promise<never> => {
    if (exited === undefined) child.kill('SIGKILL');
    const log = tail(files.log);
    removeEndpointFiles(o.workspace, id);
    throw new Error(`the endpoint for ${modelPath} did not start: ${why}${log ? `\n${log}` : ''}`);
  };
  for (;;) {
    if (o.signal?.aborted) return fail('cancelled');
    if (exited !== undefined) return fail(`its process ended (${exited})`);
    if (Date.now() > deadline) return fail(`it did not answer within ${Math.round((o.startTimeoutMs ?? 180_000) / 1000)} s`);
    const record = readRecord(files.record);
    if (record?.state === 'running' && (await probeEndpoint(record, key))) {
      return { info: await describeEndpoint(o.workspace, record), key, reused: false };
    }
    await sleep(150);
  }
}

/**
 * Stops an endpoint: asks it to (with its key), waits until it no longer answers, and removes its
 * files. A process that does not stop is killed only when it is provably this endpoint's (its
 * command line names the record).
 */
export async function stopEndpoint(workspace: string, id: string, timeoutMs = 10_000): Promise<boolean> {
  const files = endpointFiles(workspace, id);
  const record = readRecord(files.record);
  if (!record) return false;
  const key = existsSync(files.key) ? readKey(files.key) : '';
  if (record.url && key) {
    try {
      await fetch(`${record.url.replace(/\/v1$/, '')}/weft/stop`, { method: 'POST', headers: { Authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(2000) });
    } catch {
      // Not answering: the checks below decide.
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && ((key && (await probeEndpoint(record, key, 500))) || processIsEndpoint(record.pid, files.record))) await sleep(100);
  if (processIsEndpoint(record.pid, files.record)) {
    try {
      process.kill(record.pid!, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  removeEndpointFiles(workspace, id);
  return true;
}

export async function stopAllEndpoints(workspace: string): Promise<string[]> {
  const ids = listRecords(workspace).map((r) => r.id);
  for (const id of ids) await stopEndpoint(workspace, id);
  return ids;
}

/** The key with ready-to-paste calls, once: afterwards it stays only in its file. */
export function revealEndpointKey(workspace: string, id: string): RevealedEndpointKey {
  const files = endpointFiles(workspace, id);
  const record = readRecord(files.record);
  if (!record) throw new Error(`no endpoint ${id} in this workspace`);
  if (existsSync(files.revealed)) throw new Error(`the key of endpoint ${id} was shown once already; it is in ${files.key} (readable by you only)`);
  const key = readKey(files.key);
  writeFileSync(files.revealed, new Date().toISOString() + '\n', { mode: 0o600 });
  return { id, key, snippets: endpointSnippets(record.url ?? '', record.name, key) };
}
