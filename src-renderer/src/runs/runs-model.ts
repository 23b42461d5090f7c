import { isRunEvent, type EngineEvent, type RunEvent, type RunRecord } from '../../../nodes/sdk/runs.ts';
import { applyEvent, emptyNode, newRunView, type RunView } from './run-view.ts';

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
    if (!isRunEvent(e)) return;
    if (this.live && e.runId === this.live.runId) applyEvent(this.live, e);
    else if (!this.live || this.live.runId === 'pending') {
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
