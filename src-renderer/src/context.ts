import { createContext, useContext, useSyncExternalStore } from 'react';
import type { WeftApi } from '../../nodes/sdk/api.ts';
import type { NodeSpec } from '../../nodes/sdk/define-node.ts';
import type { DocState, DocStore } from './store/doc-store.ts';
import type { RunsModel } from './runs/runs-model.ts';

export type ToastKind = 'info' | 'error' | 'success';

export interface Editor {
  api: WeftApi;
  specs: ReadonlyMap<string, NodeSpec>;
  doc: DocStore;
  runs: RunsModel;
  toast(message: string, kind?: ToastKind): void;
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
