import { isRunEvent, type EngineEvent, type RunEvent, type RunRecord } from '../../../nodes/sdk/runs.ts';
import { applyEvent, emptyNode, liveViewFromLog, newRunView, type RunView } from './run-view.ts';

const INTERACTING_REDRAW_MS = 250;

/**
 * The run the editor shows: the live one started here, or a past one opened from history
 * (read-only, with its own graph snapshot). Progress events arrive fast; listeners are told at
 * most once per animation frame.
 */
export class RunsModel {
  live: RunView | null = null;
  /** The live run's final record (outputs, artifact folders), fetched when it ends. */
  liveRecord: RunRecord | null = null;
  viewing: { record: RunRecord; view: RunView } | null = null;
  /** Events that arrived before startRun answered with the run id. */
  private early: RunEvent[] = [];
  /**
   * A run under way whose event log is being fetched (a reopened tab following it). Its events that
   * arrive before the log are already in the log (the host appends each event before sending it, and
   * answers in order), so they are dropped rather than counted twice.
   */
  private attaching: string | null = null;
  private readonly listeners = new Set<() => void>();
  private scheduled = false;
  private tick = 0;
  /** The user is panning or zooming: progress redraws slow to a few per second so the view keeps up. */
  private interacting = false;

  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  getVersion = () => this.tick;

  private notify(now = false) {
    if (now) {
      this.tick++;
      this.listeners.forEach((l) => l());
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    const fire = () => {
      this.scheduled = false;
      this.tick++;
      this.listeners.forEach((l) => l());
    };
    if (this.interacting) setTimeout(fire, INTERACTING_REDRAW_MS);
    else if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(fire);
    else setTimeout(fire, 50);
  }

  setInteracting(on: boolean) {
    this.interacting = on;
  }

  /** The view whose badges and charts the UI shows now. */
  get shown(): RunView | null {
    return this.viewing?.view ?? this.live;
  }

  handle = (e: EngineEvent) => {
    if (!isRunEvent(e) || e.runId === this.attaching) return;
    if (this.live && e.runId === this.live.runId) applyEvent(this.live, e);
    else if (this.live?.runId === 'pending') {
      this.early.push(e);
      if (this.early.length > 5000) this.early.shift();
      return;
    } else if (this.viewing && e.runId === this.viewing.view.runId) applyEvent(this.viewing.view, e);
    else if (e.type !== 'run-state') return;
    // Batched per frame: a 300-node run sends hundreds of state events in a burst.
    this.notify();
  };

  /** Called just before startRun so events racing its reply are kept. */
  expectRun() {
    this.early = [];
    this.live = newRunView('pending');
    this.viewing = null;
    this.notify(true);
  }

  startLive(runId: string, nodeIds: string[]) {
    const view = newRunView(runId);
    for (const id of nodeIds) view.nodes[id] = emptyNode('queued');
    for (const e of this.early) applyEvent(view, e);
    this.early = [];
    this.live = view;
    this.viewing = null;
    this.notify(true);
  }

  /** Called just before fetching the event log of a run under way that the editor will follow. */
  beginAttach(runId: string) {
    this.attaching = runId;
  }

  endAttach() {
    this.attaching = null;
  }

  /**
   * Follows a run already under way (started before this page opened, or in another window) as the
   * live run: its log so far, then its events as they come, with the run's controls. `show` also
   * puts its graph on the canvas read-only, for when the editor holds another graph.
   */
  attachLive(record: RunRecord, events: RunEvent[], show = false) {
    this.attaching = null;
    this.early = [];
    this.live = liveViewFromLog(record, events);
    this.liveRecord = null;
    this.viewing = show ? { record, view: this.live } : null;
    this.notify(true);
  }

  /** Events read from a viewed run's log (a run another process drives): folded into its view. */
  applyToViewing(runId: string, events: RunEvent[]) {
    const view = this.viewing?.view;
    if (!view || view.runId !== runId || !events.length) return;
    for (const e of events) applyEvent(view, e);
    this.notify();
  }

  /** Stores a finished run's record for the run it belongs to (live, or viewed as a replay). */
  setRecord(record: RunRecord) {
    if (this.live?.runId === record.id) this.liveRecord = record;
    if (this.viewing?.view.runId === record.id) this.viewing = { ...this.viewing, record };
    this.notify(true);
  }

  /** The record behind what is shown, when known (past runs always; live ones once finished). */
  get shownRecord(): RunRecord | null {
    if (this.viewing) return this.viewing.record;
    return this.live && this.liveRecord?.id === this.live.runId ? this.liveRecord : null;
  }

  clearLive() {
    this.live = null;
    this.notify(true);
  }

  view(record: RunRecord, view: RunView) {
    this.viewing = { record, view };
    this.notify(true);
  }

  closeViewing() {
    this.viewing = null;
    this.notify(true);
  }
}
