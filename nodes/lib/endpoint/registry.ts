/**
 * Endpoints registered in a workspace: `<workspace>/.weft/endpoints/<id>.json` (what it serves,
 * where, its process), `<id>.key` (the bearer key, readable by the user only), `<id>.log` (the
 * process's output) and `<id>.revealed` (the editor has shown the key once). Whether an endpoint
 * lives is asked of the endpoint itself, with its key, never read from a pid: a pid can be reused,
 * and a process can live without serving.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENDPOINT_ID_PATTERN, type EndpointInfo } from '../../sdk/endpoints.ts';
import type { EndpointStatusBody } from './server.ts';

export interface EndpointRecord {
  id: string;
  name: string;
  modelPath: string;
  backend: 'weft' | 'llama.cpp';
  host: string;
  /** Asked for: 0 lets the endpoint pick. */
  requestedPort: number;
  queueLimit: number;
  maxTokens: number;
  bodyLimit: number;
  /** What the served weights were when it started (path, size, mtime): a change means a restart. */
  modelStamp: string;
  createdAt: string;
  /** Set by the endpoint process once it listens. */
  state: 'starting' | 'running';
  port?: number;
  url?: string;
  pid?: number;
  startedAt?: string;
}

export interface EndpointFiles {
  record: string;
  key: string;
  log: string;
  revealed: string;
}

export function endpointsDir(workspace: string): string {
  return join(workspace, '.weft', 'endpoints');
}

export function endpointFiles(workspace: string, id: string): EndpointFiles {
  if (!ENDPOINT_ID_PATTERN.test(id)) throw new Error(`not an endpoint id: ${JSON.stringify(id)}`);
  const dir = endpointsDir(workspace);
  return { record: join(dir, `${id}.json`), key: join(dir, `${id}.key`), log: join(dir, `${id}.log`), revealed: join(dir, `${id}.revealed`) };
}

/** The folder, readable by the user only (it holds keys). */
export function ensureEndpointsDir(workspace: string): string {
  const dir = endpointsDir(workspace);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') chmodSync(dir, 0o700);
  return dir;
}

/** Atomic: a reader sees the old record or the new one, never half of one. */
export function writeRecord(path: string, record: EndpointRecord): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

export function readRecord(path: string): EndpointRecord | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as EndpointRecord;
  } catch {
    return null;
  }
}

/** Writes the key so only the user can read it (mode 0600, also when the file existed). */
export function writeKey(path: string, key: string): void {
  writeFileSync(path, key + '\n', { mode: 0o600 });
  if (process.platform !== 'win32') chmodSync(path, 0o600);
}

export function readKey(path: string): string {
  return readFileSync(path, 'utf8').trim();
}

export function listRecords(workspace: string): EndpointRecord[] {
  const dir = endpointsDir(workspace);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && ENDPOINT_ID_PATTERN.test(f.slice(0, -5)))
    .map((f) => readRecord(join(dir, f)))
    .filter((r): r is EndpointRecord => r !== null)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Removes an endpoint's files (its log too: a stopped endpoint leaves nothing behind). */
export function removeEndpointFiles(workspace: string, id: string): void {
  for (const f of Object.values(endpointFiles(workspace, id))) rmSync(f, { force: true });
}

/** The endpoint's own answer to an authenticated status request, or null when nothing that is this endpoint answers. */
export async function probeEndpoint(record: EndpointRecord, key: string, timeoutMs = 2000): Promise<EndpointStatusBody | null> {
  if (!record.url) return null;
  try {
    const res = await fetch(`${record.url.replace(/\/v1$/, '')}/weft/status`, { headers: { Authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
    const body = (await res.json()) as EndpointStatusBody;
    // Another process on a reused port would not know this key; the id makes sure it is this endpoint.
    return body.id === record.id ? body : null;
  } catch {
    return null;
  }
}

function logTail(path: string, lines = 12): string | undefined {
  try {
    const text = readFileSync(path, 'utf8').trimEnd();
    return text ? text.split('\n').slice(-lines).join('\n') : undefined;
  } catch {
    return undefined;
  }
}

/** The process is still there and is this endpoint's (its command line names the record), on Linux; elsewhere unknown. */
export function processIsEndpoint(pid: number | undefined, recordPath: string): boolean | undefined {
  if (!pid) return false;
  if (process.platform !== 'linux') return undefined;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(recordPath);
  } catch {
    return false;
  }
}

/** What the editor and the CLI show of an endpoint, its status asked of it. */
export async function describeEndpoint(workspace: string, record: EndpointRecord): Promise<EndpointInfo> {
  const files = endpointFiles(workspace, record.id);
  let key = '';
  try {
    key = readKey(files.key);
  } catch {
    key = '';
  }
  const live = key ? await probeEndpoint(record, key) : null;
  // Starting: it has not listened yet and its process (the one named by this record) still runs.
  const starting = !live && record.state === 'starting' && processIsEndpoint(record.pid, files.record) !== false;
  const status = live ? 'running' : starting ? 'starting' : 'stopped';
  return {
    id: record.id,
    name: record.name,
    modelPath: record.modelPath,
    backend: record.backend,
    url: record.url ?? '',
    host: record.host,
    port: record.port ?? record.requestedPort,
    status,
    startedAt: record.startedAt ?? record.createdAt,
    ...(record.pid ? { pid: record.pid } : {}),
    ...(live ? { requestsServed: live.requestsServed, queued: live.queued } : {}),
    queueLimit: record.queueLimit,
    maxTokens: record.maxTokens,
    keyFile: files.key,
    keyRevealable: !!key && !existsSync(files.revealed),
    ...(status === 'stopped' ? { logTail: logTail(files.log) } : {}),
  };
}

export async function listEndpoints(workspace: string): Promise<EndpointInfo[]> {
  return Promise.all(listRecords(workspace).map((r) => describeEndpoint(workspace, r)));
}
