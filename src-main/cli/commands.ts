import { dirname, resolve } from 'node:path';
import { readFileSync, statSync } from 'node:fs';
import {
  GraphInvalidError,
  MAX_GRAPH_BYTES,
  catalogueOf,
  formatGraphError,
  parseGraph,
  type EngineEvent,
  type GraphError,
  type RunRecord,
  isRunEvent,
  type RunEvent,
} from '../../nodes/sdk/index.ts';
import { nodeRegistry } from '../../nodes/index.ts';
import { openDefaultHost } from '../host/default-host.ts';
import type { WeftHost } from '../host/weft-host.ts';
import { readGraphFile } from '../store/graph-files.ts';
import { resolveWorkspaceDir } from '../store/workspace.ts';
import { formatDuration, formatMetrics, formatNumber, table } from './format.ts';
import { applyOverrides } from './overrides.ts';
import { ProgressView } from './progress-view.ts';

export interface GlobalOptions {
  workspace?: string;
}

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');

/** Exit codes: 0 success, 1 the graph or run failed, 2 usage error, 130 cancelled by Ctrl-C. */
function exitCodeFor(run: RunRecord): number {
  return run.state === 'succeeded' ? 0 : run.state === 'cancelled' ? 130 : 1;
}

function printGraphErrors(errors: GraphError[], file: string) {
  for (const e of errors) err(formatGraphError(e, file));
  err(`${errors.length} problem${errors.length === 1 ? '' : 's'} found.`);
}

async function withEngine<T>(opts: GlobalOptions, fn: (engine: WeftHost) => Promise<T>): Promise<T> {
  const engine = await openDefaultHost(resolveWorkspaceDir(opts.workspace));
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

/**
 * Starts a run and follows it with live progress until it ends. Events are buffered from before
 * the start so the view misses nothing. Ctrl-C cancels the run (twice: leave at once).
 */
async function follow(engine: WeftHost, start: () => Promise<string>): Promise<RunRecord> {
  const early: RunEvent[] = [];
  let view: ProgressView | null = null;
  let runId: string | null = null;
  const unsubscribe = engine.subscribe((e) => {
    if (!isRunEvent(e)) return;
    if (!view) early.push(e);
    else if (e.runId === runId) view.handle(e);
  });
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1 && runId) {
      view?.print('cancelling… (Ctrl-C again to quit now; `weft resume` continues later)');
      void engine.cancelRun(runId).catch(() => undefined);
    } else process.exit(130);
  };
  try {
    runId = await start();
    view = new ProgressView(await engine.getRun(runId), process.stderr);
    for (const e of early) if (e.runId === runId) view.handle(e);
    process.on('SIGINT', onSigint);
    return await engine.waitForRun(runId);
  } finally {
    process.off('SIGINT', onSigint);
    unsubscribe();
    view?.stop();
  }
}

function printOutcome(run: RunRecord) {
  const counts: Record<string, number> = {};
  for (const n of Object.values(run.nodes)) counts[n.state] = (counts[n.state] ?? 0) + 1;
  const summary = Object.entries(counts).map(([s, c]) => `${c} ${s}`).join(', ');
  out(`run ${run.id} ${run.state} in ${formatDuration(run.durationMs)} (${summary})`);
  // Not a node's doing (a full disk while writing the run's record): say it, or the outcome looks whole.
  const runLevel = run.error?.split('\n').filter((line) => !Object.keys(run.nodes).some((id) => line.startsWith(`${id}: `)));
  for (const line of runLevel ?? []) out(`  ${line}`);
  for (const [id, node] of Object.entries(run.nodes)) {
    if (node.state === 'failed') out(`  ${id} failed: ${node.error}`);
    // A node that succeeded with warnings (records skipped, data left out) says so beside the result.
    else if (node.warnings?.length) out(`  ${id} ${node.state} with ${node.warnings.length} warning(s), the last: ${node.warnings.at(-1)}`);
  }
  // A closed gate is no failure: the run succeeded and stopped where the gate said; say where and why.
  for (const [id, node] of Object.entries(run.nodes)) if (node.closed) out(`  gate ${id} closed: ${node.closed} (what follows it was skipped)`);
  // An endpoint keeps running after the run: say where, and how to stop it.
  for (const [id, node] of Object.entries(run.nodes)) {
    for (const v of Object.values(node.outputs ?? {}) as Array<{ kind?: string; url?: string; model?: string; id?: string }>) {
      if (v?.kind === 'endpoint') out(`  ${id}: endpoint ${v.url} serves "${v.model}" until stopped (weft endpoints stop ${v.id ?? 'all'})`);
    }
  }
  if (run.state === 'interrupted' || run.state === 'cancelled' || run.state === 'failed') out(`  continue it with: weft resume ${run.id}`);
}

export async function runCommand(file: string, opts: GlobalOptions & { set: string[]; seed?: number; cache: boolean }): Promise<number> {
  let graph;
  try {
    graph = await readGraphFile(file);
  } catch (e) {
    if (e instanceof GraphInvalidError) {
      printGraphErrors(e.errors, file);
      return 1;
    }
    throw e;
  }
  try {
    graph = applyOverrides(graph, opts.set, catalogueOf(nodeRegistry));
  } catch (e) {
    err((e as Error).message);
    return 2;
  }
  return withEngine(opts, async (engine) => {
    // What validation warns of (no validation split…) is said before the run, which it does not stop.
    const checked = await engine.validateGraph(graph, dirname(resolve(file)));
    for (const w of checked.warnings ?? []) err(`warning: ${formatGraphError(w, file)}`);
    let run: RunRecord;
    try {
      run = await follow(engine, async () => {
        const { runId } = await engine.startRun({ graph, graphDir: dirname(resolve(file)), graphFile: resolve(file), seed: opts.seed, noCache: !opts.cache });
        err(`run ${runId} (workspace ${engine.workspace})`);
        return runId;
      });
    } catch (e) {
      if (e instanceof GraphInvalidError) {
        printGraphErrors(e.errors, file);
        return 1;
      }
      throw e;
    }
    printOutcome(run);
    return exitCodeFor(run);
  });
}

export async function validateCommand(file: string, opts: GlobalOptions & { json?: boolean }): Promise<number> {
  let text: string;
  try {
    // Refuse an oversized file before reading it into memory.
    if (statSync(file).size > MAX_GRAPH_BYTES) text = 'x'.repeat(MAX_GRAPH_BYTES + 1);
    else text = readFileSync(file, 'utf8');
  } catch (e) {
    err(`${file}: ${(e as Error).message}`);
    return 1;
  }
  const parsed = parseGraph(text);
  const result = parsed.ok ? await withEngine(opts, (engine) => engine.validateGraph(parsed.graph, dirname(resolve(file)))) : { errors: parsed.errors, warnings: [] };
  const { errors } = result;
  const warnings = result.warnings ?? [];
  // Warnings carry severity "warning": tools reading the list tell them from errors.
  if (opts.json) out(JSON.stringify([...errors, ...warnings], null, 2));
  else for (const w of warnings) err(`warning: ${formatGraphError(w, file)}`);
  if (errors.length === 0) {
    if (!opts.json) out(`${file}: valid${warnings.length ? ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})` : ''}`);
    return 0;
  }
  if (!opts.json) printGraphErrors(errors, file);
  return 1;
}

export async function runsCommand(opts: GlobalOptions & { json?: boolean }): Promise<number> {
  return withEngine(opts, async (engine) => {
    const runs = await engine.listRuns();
    if (opts.json) {
      out(JSON.stringify(runs, null, 2));
      return 0;
    }
    if (!runs.length) {
      out(`no runs yet in ${engine.workspace}`);
      return 0;
    }
    out(table([['RUN', 'STATE', 'STARTED', 'TIME', 'NODES', 'GRAPH'], ...runs.map((r) => [r.id, r.state, r.createdAt.replace('T', ' ').slice(0, 19), formatDuration(r.durationMs), String(r.nodeCount), r.name + (r.replayOf ? ` (replay of ${r.replayOf})` : '')])]));
    return 0;
  });
}

export async function showCommand(runId: string, opts: GlobalOptions & { json?: boolean }): Promise<number> {
  return withEngine(opts, async (engine) => {
    const run = await engine.getRun(runId);
    if (opts.json) {
      out(JSON.stringify(run, null, 2));
      return 0;
    }
    out(`run ${run.id}: ${run.state}${run.durationMs !== undefined ? ` in ${formatDuration(run.durationMs)}` : ''}`);
    out(`graph: ${run.graph.meta.name ?? ''}${run.graphFile ? ` (${run.graphFile})` : ''}`);
    out(`seed ${run.seed}; backends: ${run.backends.join(', ') || 'none (no tensors)'}; weft ${run.versions.weft}, node ${run.versions.node}`);
    if (run.replayOf) out(`replay of ${run.replayOf}`);
    if (run.resumedAt?.length) out(`resumed ${run.resumedAt.length} time(s)`);
    out('');
    out(
      table([
        ['NODE', 'TYPE', 'STATE', 'TIME', 'METRICS'],
        ...run.graph.nodes.map((n) => {
          const rec = run.nodes[n.id]!;
          return [n.id, n.type, rec.state + (rec.cachedFrom ? ` (from ${rec.cachedFrom})` : ''), formatDuration(rec.durationMs), formatMetrics(rec.metrics, 8)];
        }),
      ]),
    );
    for (const [id, rec] of Object.entries(run.nodes)) {
      if (rec.error) out(`\n${id}: ${rec.error}`);
      if (rec.artifactDir) out(`${id} artifacts: ${rec.artifactDir}`);
    }
    return 0;
  });
}

/** Figures that measure how fast, not what: they differ on every run and are shown, never compared. */
export const isTimingMetric = (name: string): boolean => /(per_?second|MBps|Ms$|seconds$|^duration)/i.test(name);

/**
 * A replay against its original: the results (every metric that is not a timing), and what could
 * explain a difference: Weft's and its libraries' versions, the backends, and each node's inputs
 * (its signature covers params, seed and the content of its input files).
 */
export function compareRuns(original: RunRecord, replay: RunRecord): { lines: string[]; same: boolean; causes: string[] } {
  const lines: string[] = [];
  let same = true;
  for (const [id, rec] of Object.entries(original.nodes)) {
    for (const [k, v] of Object.entries(rec.metrics ?? {})) {
      const w = replay.nodes[id]?.metrics?.[k];
      if (isTimingMetric(k)) {
        lines.push(`  ~ ${id}.${k}: ${formatNumber(v)} → ${w === undefined ? 'missing' : formatNumber(w)} (a timing, not compared)`);
        continue;
      }
      const equal = w === v;
      if (!equal) same = false;
      lines.push(`  ${equal ? '=' : '≠'} ${id}.${k}: ${formatNumber(v)}${equal ? '' : ` → ${w === undefined ? 'missing' : formatNumber(w)}`}`);
    }
  }
  const causes: string[] = [];
  for (const name of new Set([...Object.keys(original.versions ?? {}), ...Object.keys(replay.versions ?? {})])) {
    const [a, b] = [original.versions?.[name], replay.versions?.[name]];
    if (a !== b) causes.push(`${name} ${a ?? 'absent'} → ${b ?? 'absent'}`);
  }
  const backends = (r: RunRecord) => [...r.backends].sort().join(', ') || 'none';
  if (backends(original) !== backends(replay)) causes.push(`backend ${backends(original)} → ${backends(replay)}`);
  for (const [id, rec] of Object.entries(original.nodes)) {
    const now = replay.nodes[id]?.signature;
    if (rec.signature && now && rec.signature !== now) causes.push(`node ${id}: its inputs differ (params, seed or the content of its input files)`);
  }
  return { lines, same, causes };
}

export async function replayCommand(runId: string, opts: GlobalOptions): Promise<number> {
  return withEngine(opts, async (engine) => {
    const original = await engine.getRun(runId);
    const run = await follow(engine, async () => {
      const { runId: newId } = await engine.replayRun(runId);
      err(`replaying ${runId} as run ${newId} (seed ${original.seed}, every node re-executed)`);
      return newId;
    });
    printOutcome(run);
    if (run.state === 'succeeded') {
      const { lines, same, causes } = compareRuns(original, run);
      out(same ? `results identical to run ${runId}:` : `results differ from run ${runId}:`);
      for (const l of lines) out(l);
      if (causes.length) out(`what differs from run ${runId}: ${causes.join('; ')}`);
    }
    return exitCodeFor(run);
  });
}

export async function resumeCommand(runId: string, opts: GlobalOptions): Promise<number> {
  return withEngine(opts, async (engine) => {
    const run = await follow(engine, async () => {
      await engine.resumeRun(runId);
      err(`resuming run ${runId}`);
      return runId;
    });
    printOutcome(run);
    return exitCodeFor(run);
  });
}
