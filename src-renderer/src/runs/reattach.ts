import type { WeftApi } from '../../../nodes/sdk/doors/weft-api.ts';
import type { Graph } from '../../../nodes/sdk/graph.ts';
import { FINAL_RUN_STATES, type RunRecord } from '../../../nodes/sdk/runs.ts';
import type { RunsModel } from './runs-model.ts';

/**
 * Follows a run the host is driving now as the editor's live run (its log so far, then its events,
 * with Pause and Cancel): the newest active run, or `runId` when it is active. This is how a
 * reopened tab, a reload or a second window picks up a run started before it opened. Resolves to
 * the run's record, or null when there is no such run (or the host could not say).
 */
export async function followActiveRun(api: WeftApi, runs: RunsModel, runId?: string): Promise<RunRecord | null> {
  let active: string[];
  try {
    active = await api.listActiveRuns();
  } catch {
    return null;
  }
  const id = runId === undefined ? active[0] : active.includes(runId) ? runId : undefined;
  if (!id) return null;
  runs.beginAttach(id);
  try {
    const record = await api.getRun(id);
    const events = await api.getRunEvents(id);
    // Attached here, in the same turn as the log's arrival: the next event to arrive is the first one after it.
    runs.attachLive(record, events);
    return record;
  } catch {
    runs.endAttach();
    return null;
  }
}

/**
 * A run under way in another Weft process (a `weft run` in a terminal, another `weft serve` on this
 * workspace) sends this host no events: while the editor shows it, its event log is read again every
 * `everyMs` and what was appended is folded in, until it ends (then its final record is shown).
 */
export function watchRunLog(api: WeftApi, runs: RunsModel, runId: string, seen: number, everyMs = 1000): void {
  const tick = async () => {
    const shown = runs.viewing?.view;
    if (!shown || shown.runId !== runId || FINAL_RUN_STATES.includes(shown.state)) return;
    try {
      const events = await api.getRunEvents(runId);
      // The log only grows (a torn last line is skipped until it is whole): what is new is its tail.
      runs.applyToViewing(runId, events.slice(seen));
      seen = events.length;
      if (FINAL_RUN_STATES.includes(runs.viewing?.view.state ?? 'running')) runs.setRecord(await api.getRun(runId));
    } catch {
      // The host is unreachable for a moment: try again on the next tick.
    }
    setTimeout(() => void tick(), everyMs);
  };
  setTimeout(() => void tick(), everyMs);
}

/** True while the editor follows a run that has not ended (a new run must wait for it). */
export function followingLiveRun(runs: RunsModel): boolean {
  const live = runs.live;
  return !!live && !FINAL_RUN_STATES.includes(live.state);
}

/** The same pipeline: the same nodes with the same settings and the same wires (positions aside). */
export function samePipeline(a: Graph, b: Graph): boolean {
  const sortedParams = (p: Record<string, unknown>) => Object.keys(p).sort().map((k) => [k, p[k]]);
  const nodes = (g: Graph) => JSON.stringify([...g.nodes].sort((x, y) => x.id.localeCompare(y.id)).map((n) => [n.id, n.type, sortedParams(n.params), n.device ?? null]));
  const edges = (g: Graph) => JSON.stringify(g.edges.map((e) => [e.source, e.sourceHandle, e.target, e.targetHandle]).sort());
  return nodes(a) === nodes(b) && edges(a) === edges(b);
}
