/**
 * What an endpoint process does (detached, started by lifecycle.ts through main.ts, or in the
 * foreground of `weft deploy --foreground`): loads the model its record names, serves it, and records
 * where. It ends on POST /weft/stop, SIGTERM or SIGINT, removing its record if the record is still its own.
 */
import { readKey, readRecord, removeEndpointFiles, writeRecord, type EndpointRecord } from './registry.ts';
import { startEndpointServer, type EndpointServer } from './server.ts';
import type { ServedModel } from './served-model.ts';
import { dirname, join } from 'node:path';

async function openServedModel(record: EndpointRecord): Promise<ServedModel> {
  if (record.backend === 'llama.cpp') {
    const { GgufServedModel } = await import('./gguf-model.ts');
    return GgufServedModel.open(record.modelPath);
  }
  const { WeftServedModel } = await import('./weft-model.ts');
  return WeftServedModel.open(record.modelPath);
}

/** Serves the endpoint a record describes until it is stopped; resolves when it has stopped. */
export async function serveRecord(recordPath: string, log: (line: string) => void = (l) => process.stdout.write(l + '\n'), onServing?: (record: EndpointRecord) => void | Promise<void>): Promise<void> {
  const initial = readRecord(recordPath);
  if (!initial) throw new Error(`no endpoint record at ${recordPath}`);
  const workspace = dirname(dirname(dirname(recordPath)));
  const key = readKey(join(dirname(recordPath), `${initial.id}.key`));
  // The pid first: while the model loads, `weft endpoints` shows it starting rather than stopped.
  writeRecord(recordPath, { ...initial, pid: process.pid });
  log(`${new Date().toISOString()} loading ${initial.modelPath} (${initial.backend})`);
  const model = await openServedModel(initial);
  let server: EndpointServer;
  let stopped!: () => void;
  const done = new Promise<void>((r) => (stopped = r));
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log(`${new Date().toISOString()} stopping (${why})`);
    await server?.close();
    await model.dispose();
    // A newer endpoint may have taken this id meanwhile: only our own record is removed.
    if (readRecord(recordPath)?.pid === process.pid) removeEndpointFiles(workspace, initial.id);
    stopped();
  };
  try {
    server = await startEndpointServer({
      id: initial.id,
      modelName: initial.name,
      model,
      key,
      host: initial.host,
      port: initial.requestedPort,
      queueLimit: initial.queueLimit,
      maxTokens: initial.maxTokens,
      bodyLimit: initial.bodyLimit,
      onStopRequested: () => void stop('stop requested'),
    });
  } catch (e) {
    await model.dispose();
    throw new Error(`could not listen on ${initial.host}:${initial.requestedPort}: ${(e as Error).message}`);
  }
  const serving: EndpointRecord = { ...initial, pid: process.pid, state: 'running', port: server.port, url: server.url, startedAt: new Date().toISOString() };
  writeRecord(recordPath, serving);
  log(`${new Date().toISOString()} serving ${initial.name} at ${server.url}`);
  await onServing?.(serving);
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  await done;
}

