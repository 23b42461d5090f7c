import { createContext, useContext, useSyncExternalStore } from 'react';
import type { FieldProblems } from './inspector/field-problems.ts';
import type { WeftApi } from '../../nodes/sdk/doors/weft-api.ts';
import type { NodeSpec } from '../../nodes/sdk/define-node.ts';
import type { DocState, DocStore } from './store/doc-store.ts';
import type { RunsModel } from './runs/runs-model.ts';
import type { PlaygroundModel } from './playground/playground-model.ts';
import type { EndpointsStore } from './endpoints/endpoints-store.ts';

export type ToastKind = 'info' | 'error' | 'success';

/**
 * What a toast is about. A new toast on a topic replaces the older ones on it ("Run succeeded"
 * takes the place of an earlier "Can't run yet"), and dismissToasts(topic) clears a topic once what
 * it said no longer applies (a run starting clears the last run's and the last connection's errors).
 */
export type ToastTopic = 'run' | 'connect' | 'file' | 'playground';

export interface Editor {
  api: WeftApi;
  specs: ReadonlyMap<string, NodeSpec>;
  doc: DocStore;
  runs: RunsModel;
  playground: PlaygroundModel;
  endpoints: EndpointsStore;
  /** Values typed into fields and refused: problems until fixed, though the graph never holds them. */
  fieldProblems: FieldProblems;
  toast(message: string, kind?: ToastKind, topic?: ToastTopic): void;
  dismissToasts(...topics: ToastTopic[]): void;
}

export const EditorContext = createContext<Editor | null>(null);

export function useEditor(): Editor {
  const e = useContext(EditorContext);
  if (!e) throw new Error('useEditor outside EditorContext');
  return e;
}

export function useDoc(): DocState {
  const { doc } = useEditor();
  return useSyncExternalStore(doc.subscribe, doc.getState);
}

/** Re-renders at most once per frame while a run streams. */
export function useRunsTick(): number {
  const { runs } = useEditor();
  return useSyncExternalStore(runs.subscribe, runs.getVersion);
}

/**
 * Re-renders only when a run changes phase (starts, pauses, ends, is opened or closed), not on
 * every progress tick: the editor's frame keeps still while a run streams; the canvas, the
 * inspector and the charts follow the ticks themselves.
 */
export function useRunsPhase(): string {
  const { runs } = useEditor();
  return useSyncExternalStore(runs.subscribe, () => {
    const l = runs.live;
    const v = runs.viewing;
    return `${l?.runId}:${l?.state}:${v?.view.runId}:${v?.record.state}:${runs.liveRecord?.id}`;
  });
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
