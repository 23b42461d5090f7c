import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GRAPH_FORMAT, GRAPH_VERSION, type EngineEvent, type GenerationRequest, type Graph } from '../nodes/sdk/index.ts';
import { WeftHost, type HostOptions } from '../src-main/host/weft-host.ts';
import { nodeRegistry } from './fixtures/stub-nodes.ts';

export const STUB_REGISTRY_MODULE = fileURLToPath(new URL('./fixtures/stub-nodes.ts', import.meta.url));

export function tempDir(prefix = 'weft-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

type N = { id: string; type: string; params?: Record<string, unknown>; version?: number };
type E = [source: string, sourceHandle: string, target: string, targetHandle: string];

export function graphOf(nodes: N[], edges: E[] = [], seed = 1): Graph {
  return {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    meta: { name: 'test' },
    seed,
    nodes: nodes.map((n, i) => ({ id: n.id, type: n.type, version: n.version ?? 1, position: { x: i * 200, y: 0 }, params: n.params ?? {} })),
    edges: edges.map(([source, sourceHandle, target, targetHandle], i) => ({ id: `e${i}`, source, sourceHandle, target, targetHandle })),
  };
}

export async function stubEngine(workspace = tempDir(), options: Partial<HostOptions> = {}): Promise<{ engine: WeftHost; events: EngineEvent[]; workspace: string }> {
  const engine = await WeftHost.open({ workspace, registry: nodeRegistry, registryModule: STUB_REGISTRY_MODULE, ...options });
  const events: EngineEvent[] = [];
  engine.subscribe((e) => events.push(e));
  return { engine, events, workspace };
}

export interface TraceLine {
  at: number;
  what: 'start' | 'end';
  nodeId: string;
  pid: number;
}

export function readTrace(workspace: string): TraceLine[] {
  const path = join(workspace, 'trace.log');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [at, what, nodeId, pid] = line.split(' ');
      return { at: Number(at), what: what as 'start' | 'end', nodeId: nodeId!, pid: Number(pid) };
    });
}

/** Most nodes whose start..end intervals overlapped at once. */
export function maxOverlap(trace: TraceLine[]): number {
  let cur = 0;
  let max = 0;
  for (const t of [...trace].sort((a, b) => a.at - b.at || (a.what === 'end' ? -1 : 1))) {
    cur += t.what === 'start' ? 1 : -1;
    max = Math.max(max, cur);
  }
  return max;
}

export async function waitFor(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs one playground generation to its end: the streamed text and the end event (events that beat the id are kept). */
export async function generateToEnd(engine: WeftHost, request: GenerationRequest): Promise<{ text: string; end: Extract<EngineEvent, { type: 'generation-end' }> }> {
  let text = '';
  let id: string | null = null;
  const early: EngineEvent[] = [];
  return new Promise((resolve, reject) => {
    const handle = (e: EngineEvent) => {
      if (e.type === 'generation-text' && e.generationId === id) text += e.text;
      if (e.type === 'generation-end' && e.generationId === id) {
        stop();
        resolve({ text, end: e });
      }
    };
    const stop = engine.subscribe((e) => (id ? handle(e) : early.push(e)));
    engine.startGeneration(request).then(({ generationId }) => {
      id = generationId;
      early.splice(0).forEach(handle);
    }, reject);
  });
}
