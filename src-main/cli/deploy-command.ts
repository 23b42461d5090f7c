/**
 * `weft deploy <model-folder|file.gguf>`, `weft endpoints`, `weft endpoints stop <id|all>`: local
 * OpenAI-compatible endpoints that outlive the command (a detached process each), listed with
 * their status asked of each endpoint itself.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { EndpointInfo } from '../../nodes/sdk/endpoints.ts';
import { endpointSnippets } from '../../nodes/sdk/endpoints.ts';
import { resolveWorkspaceDir } from '../store/workspace.ts';
import { table } from './format.ts';

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');
const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

export interface DeployCliOptions {
  workspace?: string;
  port?: number;
  name?: string;
  host?: string;
  allowNetwork?: boolean;
  queueLimit?: number;
  maxTokens?: number;
  foreground?: boolean;
}

function printDeployed(info: EndpointInfo, key: string, reused: boolean): void {
  out(`${reused ? 'Still serving' : 'Serving'} ${info.name} (${info.backend}) at ${info.url}`);
  out(`id: ${info.id}   stop it with: weft endpoints stop ${info.id}`);
  out(`key: ${key}   (also in ${info.keyFile}, readable by you only; keep it private)`);
  out('');
  out(endpointSnippets(info.url, info.name, key).curl);
}

export async function deployCommand(model: string, o: DeployCliOptions): Promise<number> {
  const host = o.host ?? '127.0.0.1';
  if (!LOOPBACK.includes(host) && !o.allowNetwork) {
    err(`weft: --host ${host} serves other machines too; add --allow-network if that is what you want`);
    return 2;
  }
  if (!LOOPBACK.includes(host)) err(`warning: listening on ${host}: other machines can reach this endpoint (the key is still required)`);
  const { deployEndpoint, serveInForeground } = await import('../../nodes/lib/endpoint/lifecycle.ts');
  const options = { workspace: resolveWorkspaceDir(o.workspace), modelPath: model, name: o.name, host, port: o.port, queueLimit: o.queueLimit, maxTokens: o.maxTokens, log: (line: string) => err(line) };
  try {
    if (o.foreground) {
      await serveInForeground(options, ({ info, key }) => {
        printDeployed(info, key, false);
        out('\nServing in the foreground: Ctrl-C stops it.');
      });
      return 0;
    }
    const { info, key, reused } = await deployEndpoint(options);
    printDeployed(info, key, reused);
    return 0;
  } catch (e) {
    err(`weft: ${(e as Error).message}`);
    return 1;
  }
}

export async function endpointsCommand(o: { workspace?: string; json?: boolean }): Promise<number> {
  const { listEndpoints } = await import('../../nodes/lib/endpoint/registry.ts');
  const workspace = resolveWorkspaceDir(o.workspace);
  const list = await listEndpoints(workspace);
  if (o.json) {
    out(JSON.stringify(list, null, 2));
    return 0;
  }
  if (!list.length) {
    out(`no endpoints in ${workspace} (start one with: weft deploy <model-folder|file.gguf>)`);
    return 0;
  }
  out(table([['ID', 'STATUS', 'URL', 'MODEL', 'BACKEND', 'REQUESTS', 'STARTED'], ...list.map((e) => [e.id, e.status, e.url || '-', e.name, e.backend, e.requestsServed === undefined ? '-' : String(e.requestsServed), e.startedAt.replace('T', ' ').slice(0, 19)])]));
  for (const e of list) if (e.status === 'stopped' && e.logTail) out(`\n${e.id} is not answering; the end of its log:\n${e.logTail}\n(remove it with: weft endpoints stop ${e.id})`);
  return 0;
}

export async function endpointsStopCommand(id: string, o: { workspace?: string }): Promise<number> {
  const { stopAllEndpoints, stopEndpoint } = await import('../../nodes/lib/endpoint/lifecycle.ts');
  const workspace = resolveWorkspaceDir(o.workspace);
  if (id === 'all') {
    const ids = await stopAllEndpoints(workspace);
    out(ids.length ? `stopped ${ids.join(', ')}` : 'no endpoints to stop');
    return 0;
  }
  const { ENDPOINT_ID_PATTERN } = await import('../../nodes/sdk/endpoints.ts');
  if (!ENDPOINT_ID_PATTERN.test(id) || !(await stopEndpoint(workspace, id))) {
    err(`weft: no endpoint ${JSON.stringify(id)} in ${workspace} (see: weft endpoints)`);
    return 1;
  }
  out(`stopped ${id}`);
  return 0;
}

function intOption(min: number, max: number, what: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${what} must be a whole number from ${min} to ${max}`);
    return n;
  };
}

/** Adds deploy and endpoints to the `weft` program (kept here so cli.ts gains two lines). */
export function registerDeployCommands(program: Command, global: () => { workspace?: string }, setExit: (code: number) => void): void {
  program
    .command('deploy <model>')
    .description('serve a model folder or .gguf as a local OpenAI-compatible endpoint that keeps running (stop: weft endpoints stop)')
    .option('-p, --port <n>', 'port (default: a free one)', intOption(0, 65535, 'the port'))
    .option('-n, --name <name>', 'model name clients send (default: the folder or file name)')
    .option('--host <address>', 'address to listen on (default 127.0.0.1: this machine only)')
    .option('--allow-network', 'allow a --host other machines can reach')
    .option('--queue-limit <n>', 'requests that may wait while one generates (default 8; more get HTTP 429)', intOption(0, 1000, 'the queue limit'))
    .option('--max-tokens <n>', 'the largest max_tokens a request may ask for (default 2048)', intOption(1, 131072, 'the max tokens limit'))
    .option('--foreground', 'serve in this terminal until Ctrl-C instead of in the background')
    .action(async (model: string, opts: DeployCliOptions) => setExit(await deployCommand(model, { ...global(), ...opts })));
  const endpoints = program
    .command('endpoints')
    .description('list the endpoints of this workspace with their status (stop one: weft endpoints stop <id|all>)')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => setExit(await endpointsCommand({ ...global(), ...opts })));
  endpoints
    .command('stop <id>')
    .description('stop an endpoint (or all)')
    .action(async (id: string) => setExit(await endpointsStopCommand(id, global())));
}
