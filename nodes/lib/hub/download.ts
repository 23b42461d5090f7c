/**
 * Downloads a model repository from the Hugging Face Hub into the workspace's model cache, in the
 * layout of huggingface_hub's cache:
 *
 *   <workspace>/models/hub/models--<owner>--<name>/
 *     blobs/<etag>               file contents, named by their hash (sha256 for LFS files, git oid otherwise)
 *     blobs/<etag>.incomplete    a download in progress or broken off; continued with an HTTP Range request
 *     snapshots/<commit>/<file>  one folder per commit, each file a hard link to its blob (a copy where links fail)
 *     refs/<revision>            the commit a branch or tag pointed to when last resolved (offline mode reads it)
 *     weft/<commit>.json         written last: the files of that snapshot, so a complete one is known without the network
 *
 * The client library (@huggingface/hub) resolves the revision to a commit (modelInfo) and lists the files
 * (listFiles); the bytes themselves are fetched here, because resume, progress, cancel and hash checks
 * need the response stream, which the library's downloadFile hides.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, linkSync, copyFileSync, constants, mkdirSync, readFileSync, renameSync, rmSync, statSync, statfsSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { HubApiError, listFiles, modelInfo, type ListFileEntry } from '@huggingface/hub';
import { hubModelIdProblem, hubRepoDir, isCommitHash, revisionProblem } from './repo.ts';

export type HubErrorCode = 'unreachable' | 'gated' | 'not_found' | 'disk_full' | 'no_weights' | 'not_cached' | 'corrupt' | 'bad_token' | 'http';

/** A Hub download that failed for a reason the user can act on; the message says what to do. */
export class HubError extends Error {
  constructor(
    readonly code: HubErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

export interface HubModelRequest {
  /** owner/name */
  id: string;
  /** Branch, tag or commit. */
  revision: string;
  /** Use only the cache; never touch the network. */
  offline: boolean;
  /** The Hub cache folder (hubCacheDir(workspace)). */
  cacheDir: string;
  /** https://huggingface.co, or a mirror / test server. */
  hubUrl: string;
  /** Read from HF_TOKEN by the caller; sent only as an Authorization header, never written anywhere. */
  token?: string;
  signal?: AbortSignal;
  log?: (message: string) => void;
  /** Bytes done and to do over the files this call downloads; awaited (where a paused run waits). */
  progress?: (done: number, total: number) => Promise<void> | void;
  /** Attempts per file when the connection breaks mid-file (each continues where the last stopped). */
  attempts?: number;
  /** Free bytes on the disk holding a folder (statfs); replaceable in tests. */
  freeBytes?: (dir: string) => number;
}

export interface HubSnapshot {
  /** The snapshot folder: config.json, tokenizer.json, weights... */
  dir: string;
  /** The commit the revision resolved to. */
  commit: string;
  files: string[];
  /** Bytes fetched over the network by this call (0 when the cache had everything). */
  downloadedBytes: number;
  /** Size of the model's files. */
  totalBytes: number;
  seconds: number;
}

interface ManifestFile {
  path: string;
  size: number;
  etag: string;
  sha256?: string;
}

const MB = 1024 * 1024;
const COMPANIONS = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];

/** Which of a repository's top-level files a Weft model needs: config, tokenizer files, safetensors weights (never .bin, onnx...). */
export function chooseFiles(entries: readonly ListFileEntry[], id: string, revision: string): ListFileEntry[] {
  const files = entries.filter((e) => e.type === 'file');
  const byPath = new Map(files.map((e) => [e.path, e]));
  const found = files.map((e) => e.path);
  const listing = found.length ? found.slice(0, 30).join(', ') + (found.length > 30 ? `, ... (${found.length} files)` : '') : 'no files';
  const chosen = COMPANIONS.map((p) => byPath.get(p)).filter((e): e is ListFileEntry => !!e);
  const missing: string[] = [];
  if (!byPath.has('config.json')) missing.push('config.json');
  if (!byPath.has('tokenizer.json')) missing.push('tokenizer.json');
  const single = byPath.get('model.safetensors');
  const index = byPath.get('model.safetensors.index.json');
  if (single) chosen.push(single);
  else if (index) chosen.push(index); // its shards are added once the index is read
  else missing.push('model.safetensors (or model.safetensors.index.json with its shards)');
  if (missing.length) {
    throw new HubError('no_weights', `${id} at ${revision} has no ${missing.join(', no ')}; Weft reads Hugging Face folders with safetensors weights and tokenizer.json. The repository holds: ${listing}`);
  }
  return chosen;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found (no network, or no DNS)',
  EAI_AGAIN: 'name lookup failed (no network?)',
  ETIMEDOUT: 'timed out',
  UND_ERR_CONNECT_TIMEOUT: 'timed out',
  ECONNRESET: 'connection reset',
  UND_ERR_SOCKET: 'the connection closed',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
};

/** What went wrong on the wire, in words and with the system's code. */
function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (e as { code?: string }).code;
  if (code && NETWORK_WORDS[code]) return `${NETWORK_WORDS[code]} (${code})`;
  return cause?.message ?? (e as Error).message;
}

/** True for errors where the server was never reached or the connection broke (not HTTP answers). */
function isNetworkError(e: unknown): boolean {
  if (e instanceof HubError || e instanceof HubApiError) return false;
  const code = (e as { code?: string }).code ?? (e as { cause?: { code?: string } }).cause?.code;
  return e instanceof TypeError || /^(ECONNRESET|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE|UND_ERR_\w+|ENETUNREACH|EHOSTUNREACH)$/.test(code ?? '') || /terminated|socket|premature close/i.test((e as Error).message ?? '');
}

function diskFull(path: string, needed: number): HubError {
  return new HubError('disk_full', `the disk holding ${path} is full (needs about ${Math.max(1, Math.ceil(needed / MB))} MB)`);
}

/** The message for an HTTP status from the Hub. */
function httpError(status: number, req: HubModelRequest, detail: string): HubError {
  const where = `${req.id} at revision ${req.revision}`;
  if (status === 401 && !req.token && /repository not found/i.test(detail)) {
    // The Hub answers 401 rather than 404 to anonymous requests for a repository it will not show.
    return new HubError('not_found', `no model ${req.id} at revision ${req.revision} on ${req.hubUrl} (or it is private: set HF_TOKEN)`);
  }
  if (status === 401 || status === 403) {
    const tokenNote = req.token ? (status === 401 ? ' (the Hub refused the HF_TOKEN that is set: check it)' : ' (the account of the HF_TOKEN that is set has no access yet)') : '';
    return new HubError('gated', `${req.id} is gated or private: accept its licence on the Hub and set HF_TOKEN${tokenNote}`);
  }
  if (status === 404) return new HubError('not_found', `no model ${req.id} at revision ${req.revision} on ${req.hubUrl}`);
  return new HubError('http', `the Hub answered ${status} for ${where}: ${detail}`);
}

/** Maps what the client library or fetch threw to a HubError (or rethrows a cancel). */
function explain(e: unknown, req: HubModelRequest): never {
  if (req.signal?.aborted) throw req.signal.reason ?? e;
  if (e instanceof HubError) throw e;
  if (e instanceof HubApiError) throw httpError(e.statusCode, req, e.message);
  if ((e as { code?: string }).code === 'ENOSPC') throw diskFull(req.cacheDir, 0);
  if (e instanceof TypeError && /access token/i.test(e.message)) {
    throw new HubError('bad_token', 'HF_TOKEN does not look like a Hugging Face access token (they start with hf_)');
  }
  if (isNetworkError(e)) throw new HubError('unreachable', `could not reach ${req.hubUrl}: ${causeOf(e)} (offline mode uses the cache)`);
  throw e;
}

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** Atomic small write: temp file in the same folder, then rename. */
function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Puts a blob into a snapshot: a hard link (no extra space), a copy where links are refused. */
function place(blob: string, target: string): void {
  mkdirSync(dirname(target), { recursive: true });
  rmSync(target, { force: true });
  try {
    linkSync(blob, target);
  } catch {
    copyFileSync(blob, target, constants.COPYFILE_FICLONE);
  }
}

/** The snapshot of a commit when every file of its manifest is in place. */
function completeSnapshot(repoDir: string, commit: string): ManifestFile[] | null {
  const manifest = readJson<{ files: ManifestFile[] }>(join(repoDir, 'weft', `${commit}.json`));
  if (!manifest) return null;
  const dir = join(repoDir, 'snapshots', commit);
  for (const f of manifest.files) {
    try {
      if (statSync(join(dir, f.path)).size !== f.size) return null;
    } catch {
      return null;
    }
  }
  return manifest.files;
}

/** One process downloads a repository at a time; a lock left by a dead process is taken over. */
async function lockRepo(repoDir: string, signal?: AbortSignal, log?: (m: string) => void): Promise<() => void> {
  let told = false;
  mkdirSync(repoDir, { recursive: true });
  const lock = join(repoDir, '.lock');
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
      let text: string;
      let age: number;
      try {
        text = readFileSync(lock, 'utf8');
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        continue; // released meanwhile: try again
      }
      const pid = Number(text);
      // Another download in this process, or one that has just created the lock and not yet written its pid.
      let alive = pid === process.pid || (text === '' && age < 5000);
      try {
        alive ||= Number.isInteger(pid) && pid > 0 && (process.kill(pid, 0), true);
      } catch (err) {
        alive = (err as { code?: string }).code === 'EPERM'; // exists, owned by someone else
      }
      if (!alive) rmSync(lock, { force: true });
      else {
        if (!told) log?.(`waiting for another download of this model (process ${pid}) to finish`);
        told = true;
        await sleep(300, signal);
      }
    }
  }
}

/** Resolves the revision to a commit and makes the model's files available in the cache. */
export async function fetchHubModel(req: HubModelRequest): Promise<HubSnapshot> {
  const started = Date.now();
  // The id and revision become folder names: checked here too, not only by the node's validation.
  const bad = hubModelIdProblem(req.id) ?? revisionProblem(req.revision);
  if (bad) throw new HubError('not_found', bad);
  const repoDir = hubRepoDir(req.cacheDir, req.id);
  const log = req.log ?? (() => {});
  const done = (commit: string, files: ManifestFile[], downloadedBytes: number): HubSnapshot => ({
    dir: join(repoDir, 'snapshots', commit),
    commit,
    files: files.map((f) => f.path),
    downloadedBytes,
    totalBytes: files.reduce((s, f) => s + f.size, 0),
    seconds: (Date.now() - started) / 1000,
  });

  // A commit already complete in the cache needs no network, online or not.
  const refFile = join(repoDir, 'refs', ...req.revision.split('/'));
  const known = isCommitHash(req.revision) ? req.revision : req.offline && existsSync(refFile) ? readFileSync(refFile, 'utf8').trim() : null;
  if (known) {
    const files = completeSnapshot(repoDir, known);
    if (files) {
      log(`${req.id} ${known.slice(0, 12)}: in the cache (${req.offline ? 'offline' : 'commit pinned'})`);
      return done(known, files, 0);
    }
  }
  if (req.offline) {
    const why = known ? `only partly in the cache (commit ${known.slice(0, 12)})` : 'not in the cache';
    throw new HubError('not_cached', `${req.id} at revision ${req.revision} is ${why}; run once with a network (offline mode uses only the cache in ${req.cacheDir})`);
  }

  const fetchWithSignal: typeof fetch = (input, init) => fetch(input, { ...init, signal: req.signal });
  const credentials = { hubUrl: req.hubUrl, fetch: fetchWithSignal, ...(req.token ? { accessToken: req.token } : {}) };
  let commit: string;
  let listing: ListFileEntry[];
  try {
    const info = await modelInfo({ ...credentials, name: req.id, revision: req.revision, additionalFields: ['sha'] });
    if (!info.sha || !isCommitHash(info.sha)) throw new HubError('http', `the Hub gave no commit for ${req.id} at ${req.revision}`);
    commit = info.sha;
    const cached = completeSnapshot(repoDir, commit);
    if (cached) {
      if (!isCommitHash(req.revision)) writeAtomic(refFile, commit);
      log(`${req.id} ${req.revision} -> ${commit.slice(0, 12)}: in the cache`);
      return done(commit, cached, 0);
    }
    listing = [];
    for await (const entry of listFiles({ ...credentials, repo: { type: 'model', name: req.id }, revision: commit })) listing.push(entry);
  } catch (e) {
    explain(e, req);
  }
  const chosen = chooseFiles(listing, req.id, req.revision);
  log(`${req.id} ${req.revision} -> commit ${commit}`);

  const release = await lockRepo(repoDir, req.signal, log);
  try {
    const manifest: ManifestFile[] = [];
    const entryOf = (e: ListFileEntry): ManifestFile => ({ path: e.path, size: e.lfs?.size ?? e.size, etag: e.lfs?.oid ?? e.oid ?? `${e.path}-${e.size}`, ...(e.lfs ? { sha256: e.lfs.oid } : {}) });
    const snapshot = join(repoDir, 'snapshots', commit);
    const counter = { done: 0, total: 0, lastReport: 0 };
    const report = async (force = false) => {
      const now = Date.now();
      if (!force && now - counter.lastReport < 100) return;
      counter.lastReport = now;
      await req.progress?.(counter.done, counter.total);
    };
    const blobPath = (f: ManifestFile) => join(repoDir, 'blobs', f.etag);
    const pending = (files: ManifestFile[]) => files.filter((f) => !(existsSync(blobPath(f)) && statSync(blobPath(f)).size === f.size));
    const partial = (f: ManifestFile) => (existsSync(`${blobPath(f)}.incomplete`) ? statSync(`${blobPath(f)}.incomplete`).size : 0);

    const needOf = (files: ManifestFile[]) => pending(files).reduce((s, f) => s + f.size - Math.min(partial(f), f.size), 0);
    const checkSpace = (need: number) => {
      mkdirSync(join(repoDir, 'blobs'), { recursive: true });
      if (need > (req.freeBytes ?? freeBytesOf)(join(repoDir, 'blobs'))) throw diskFull(join(repoDir, 'blobs'), need);
    };
    const fetchFiles = async (files: ManifestFile[]) => {
      const todo = pending(files);
      checkSpace(needOf(files));
      for (const f of files) {
        if (todo.includes(f)) await downloadBlob(req, commit, f, blobPath(f), counter, report, log);
        place(blobPath(f), join(snapshot, f.path));
        manifest.push(f);
      }
    };

    // Small files first, then the weights: the index names its shards.
    // Progress counts bytes over the whole model from the start: shards are guessed by their usual names until the index is read.
    const small = chosen.filter((e) => !e.path.endsWith('.safetensors')).map(entryOf);
    const likelyWeights = listing.filter((e) => e.path === 'model.safetensors' || /^model-\d+-of-\d+\.safetensors$/.test(e.path)).map(entryOf);
    counter.total = needOf(small) + needOf(chosen.some((e) => e.path === 'model.safetensors') ? likelyWeights.filter((f) => f.path === 'model.safetensors') : likelyWeights);
    checkSpace(counter.total);
    await fetchFiles(small);
    const index = chosen.find((e) => e.path === 'model.safetensors.index.json');
    let weights = chosen.filter((e) => e.path.endsWith('.safetensors'));
    if (index) {
      const map = readJson<{ weight_map?: Record<string, string> }>(join(snapshot, index.path))?.weight_map;
      if (!map) throw new HubError('no_weights', `${req.id}: model.safetensors.index.json has no weight_map`);
      const shardNames = [...new Set(Object.values(map))];
      const byPath = new Map(listing.map((e) => [e.path, e]));
      const absent = shardNames.filter((s) => !byPath.has(s));
      if (absent.length) throw new HubError('no_weights', `${req.id}: model.safetensors.index.json names shards the repository lacks: ${absent.join(', ')}`);
      weights = shardNames.map((s) => byPath.get(s)!);
    }
    counter.total = counter.done + needOf(weights.map(entryOf));
    await fetchFiles(weights.map(entryOf));
    await report(true);
    writeAtomic(join(repoDir, 'weft', `${commit}.json`), JSON.stringify({ id: req.id, commit, files: manifest }, null, 1));
    if (!isCommitHash(req.revision)) writeAtomic(refFile, commit);
    const result = done(commit, manifest, counter.done);
    if (result.downloadedBytes > 0) {
      log(`downloaded ${(result.downloadedBytes / MB).toFixed(1)} MB in ${result.seconds.toFixed(1)} s (${(result.downloadedBytes / MB / Math.max(result.seconds, 1e-3)).toFixed(1)} MB/s)`);
    }
    return result;
  } catch (e) {
    explain(e, req);
  } finally {
    release();
  }
}

function freeBytesOf(dir: string): number {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** A sha256 already fed with a file's bytes (the part downloaded before), or an empty one. */
async function sha256Of(path: string | null): Promise<ReturnType<typeof createHash>> {
  const hash = createHash('sha256');
  if (path) for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash;
}

const sizeOf = (path: string): number => (existsSync(path) ? statSync(path).size : 0);

/** Downloads one file into blobs/, continuing a partial download, retrying a broken connection, checking size and sha256. */
async function downloadBlob(
  req: HubModelRequest,
  commit: string,
  f: ManifestFile,
  blob: string,
  counter: { done: number; total: number },
  report: () => Promise<void>,
  log: (m: string) => void,
): Promise<void> {
  const incomplete = `${blob}.incomplete`;
  const url = `${req.hubUrl}/${req.id}/resolve/${commit}/${f.path.split('/').map(encodeURIComponent).join('/')}`;
  const attempts = Math.max(1, req.attempts ?? 4);
  if (sizeOf(incomplete) > f.size) rmSync(incomplete);
  const first = sizeOf(incomplete);
  log(`${f.path}: ${(f.size / MB).toFixed(1)} MB${first > 0 ? `, continuing from ${(first / MB).toFixed(1)} MB` : ''}`);
  for (let attempt = 1; ; attempt++) {
    let offset = existsSync(incomplete) ? sizeOf(incomplete) : -1;
    try {
      let hash = f.sha256 ? await sha256Of(offset > 0 ? incomplete : null) : null;
      if (offset < f.size) {
        const headers: Record<string, string> = {};
        if (req.token) headers.Authorization = `Bearer ${req.token}`;
        if (offset > 0) headers.Range = `bytes=${offset}-`;
        const res = await fetch(url, { headers, signal: req.signal });
        if (!res.ok) {
          const detail = await res.text().catch(() => '');
          if (res.status === 416) {
            // The server does not take the partial file as a prefix: start the file over.
            rmSync(incomplete, { force: true });
            throw Object.assign(new Error('range not satisfiable'), { code: 'ECONNRESET' });
          }
          throw httpError(res.status, req, detail.slice(0, 200));
        }
        if (offset > 0 && res.status !== 206) {
          // The server ignored the range and sends the whole file: take it from the start.
          counter.total += offset;
          offset = 0;
          hash = f.sha256 ? createHash('sha256') : null;
        }
        if (!res.body) throw new Error('empty response');
        const h = hash;
        const meter = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            h?.update(chunk);
            counter.done += chunk.length;
            report().then(() => cb(null, chunk), cb);
          },
        });
        await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), meter, createWriteStream(incomplete, { flags: offset > 0 ? 'a' : 'w' }), { signal: req.signal });
        const got = sizeOf(incomplete);
        if (got < f.size) throw Object.assign(new Error(`the connection ended at ${got} of ${f.size} bytes`), { code: 'ECONNRESET' });
      }
      const size = sizeOf(incomplete);
      if (size !== f.size) {
        rmSync(incomplete, { force: true });
        throw new HubError('corrupt', `${req.id}/${f.path}: got ${size} bytes, the Hub lists ${f.size}; the partial file was removed, run again`);
      }
      if (f.sha256 && hash) {
        const digest = hash.digest('hex');
        if (digest !== f.sha256) {
          rmSync(incomplete, { force: true });
          throw new HubError('corrupt', `${req.id}/${f.path}: the download's sha256 is ${digest}, the Hub lists ${f.sha256}; it was removed, run again`);
        }
      }
      renameSync(incomplete, blob);
      return;
    } catch (e) {
      if (req.signal?.aborted) throw req.signal.reason ?? e;
      if ((e as { code?: string }).code === 'ENOSPC') throw diskFull(dirname(blob), f.size - sizeOf(incomplete));
      if (!isNetworkError(e)) throw e;
      const kept = sizeOf(incomplete);
      if (attempt >= attempts) {
        throw new HubError(
          'unreachable',
          `could not reach ${req.hubUrl} to download ${f.path}: ${causeOf(e)} (${attempts} attempts; ${(kept / MB).toFixed(1)} of ${(f.size / MB).toFixed(1)} MB are kept and the next run continues from there; offline mode uses the cache)`,
        );
      }
      log(`${f.path}: connection broke (${causeOf(e)}); continuing from ${(kept / MB).toFixed(1)} MB (attempt ${attempt + 1} of ${attempts})`);
      await sleep(200 * 2 ** (attempt - 1), req.signal);
    }
  }
}
