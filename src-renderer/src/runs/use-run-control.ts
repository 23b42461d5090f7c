import { useCallback, useEffect } from 'react';
import type { GraphError } from '../../../nodes/sdk/errors.ts';
import { FINAL_RUN_STATES } from '../../../nodes/sdk/runs.ts';
import { errorText, useEditor } from '../context.ts';

/**
 * Starting, pausing, resuming and cancelling the live run, and telling the user how it ended.
 * `onRefused` gets the graph problems that kept a run from starting.
 */
export function useRunControl(options: { graphDir: string | undefined; graphFile: string | null; readOnly: boolean; onRefused(errors: GraphError[]): void }) {
  const { api, doc, runs, toast, dismissToasts } = useEditor();
  const { graphDir, graphFile, readOnly, onRefused } = options;
  const live = runs.live;
  const running = !!live && !FINAL_RUN_STATES.includes(live.state);
  const fail = useCallback((e: unknown) => toast(errorText(e), 'error', 'run'), [toast]);

  const run = useCallback(async () => {
    if (readOnly || running) return;
    runs.expectRun();
    try {
      const g = doc.getState().graph;
      const { runId } = await api.startRun({ graph: g, graphDir, graphFile: graphFile ?? undefined });
      runs.startLive(runId, g.nodes.map((n) => n.id));
      // The graph now runs: what was said about the last attempt and refused connections no longer applies.
      dismissToasts('run', 'connect');
    } catch (e) {
      runs.clearLive();
      const list = (e as { errors?: GraphError[] }).errors;
      if (Array.isArray(list)) {
        onRefused(list);
        toast(`Can't run yet: ${list.length} problem${list.length === 1 ? '' : 's'} marked on the canvas. ${list[0]?.message ?? ''}`, 'error', 'run');
      } else fail(e);
    }
  }, [api, doc, runs, graphDir, graphFile, readOnly, running, toast, dismissToasts, fail, onRefused]);

  const liveId = live?.runId;
  const control = (what: 'cancel' | 'pause' | 'resume') => () => {
    if (!liveId || liveId === 'pending') return;
    const call = what === 'cancel' ? api.cancelRun(liveId) : what === 'pause' ? api.pauseRun(liveId) : api.resumeRun(liveId);
    call.catch(fail);
  };

  useEffect(() => {
    if (live && live.runId !== 'pending' && FINAL_RUN_STATES.includes(live.state)) {
      // run.json is written a moment after the last event: ask until it says the run ended.
      const id = live.runId;
      const fetchFinal = (tries: number): void =>
        void api.getRun(id).then(
          (r) => (FINAL_RUN_STATES.includes(r.state) || tries <= 0 ? runs.setRecord(r) : setTimeout(() => fetchFinal(tries - 1), 250)),
          () => {},
        );
      fetchFinal(20);
      // A success that skipped or lost data says so here too, not only on the node's badge.
      const warned = Object.values(live.nodes).filter((n) => n.warnings.length > 0).length;
      if (live.state === 'succeeded' && warned) toast(`Run succeeded with warnings on ${warned} node${warned === 1 ? '' : 's'} (⚠ on the node says what)`, 'info', 'run');
      else if (live.state === 'succeeded') toast('Run succeeded', 'success', 'run');
      else if (live.state === 'failed') toast(`Run failed${live.error ? `: ${live.error}` : '. The failed node shows why.'}`, 'error', 'run');
      else if (live.state === 'cancelled') toast('Run cancelled', 'info', 'run');
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [live?.state, live?.runId]);

  return { live, running, run: () => void run(), pause: control('pause'), resume: control('resume'), cancel: control('cancel') };
}
