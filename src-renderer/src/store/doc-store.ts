import { applyPatches, enablePatches, produceWithPatches, type Draft, type Patch } from 'immer';
import { GRAPH_FORMAT, GRAPH_VERSION, type Graph } from '../../../nodes/sdk/graph.ts';

enablePatches();

export interface DocState {
  graph: Graph;
  /** File the graph was opened from or saved to; null for a new, unsaved graph. */
  path: string | null;
  /** Folder relative file params resolve against (a template's folder before it is saved). */
  graphDir: string | null;
  /** Bumped by every edit; equal to savedVersion when the file on disk matches. */
  version: number;
  savedVersion: number;
  canUndo: boolean;
  canRedo: boolean;
}

interface Step {
  patches: Patch[];
  inverse: Patch[];
  /** Edits with the same key in quick succession (typing in a field) undo as one step. */
  key?: string;
  at: number;
}

export function emptyGraph(name = 'Untitled'): Graph {
  return { format: GRAPH_FORMAT, version: GRAPH_VERSION, meta: { name }, seed: 0, nodes: [], edges: [] };
}

const COALESCE_MS = 1500;
const HISTORY_LIMIT = 200;

/**
 * The editor's document: the graph plus undo/redo as immer patch pairs. Every edit goes through
 * edit(); undo applies the inverse patches, redo the forward ones. Selection and viewport live
 * elsewhere: they are not edits.
 */
export class DocStore {
  private state: DocState;
  private past: Step[] = [];
  private future: Step[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(graph: Graph = emptyGraph(), path: string | null = null) {
    this.state = { graph, path, graphDir: null, version: 0, savedVersion: 0, canUndo: false, canRedo: false };
  }

  getState = (): DocState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(patch: Partial<DocState>): void {
    this.state = { ...this.state, ...patch, canUndo: this.past.length > 0, canRedo: this.future.length > 0 };
    for (const l of this.listeners) l();
  }

  get dirty(): boolean {
    return this.state.version !== this.state.savedVersion;
  }

  /** Applies an edit as one undoable step; returns false when it changed nothing. */
  edit(recipe: (draft: Draft<Graph>) => void, opts: { key?: string } = {}): boolean {
    const [graph, patches, inverse] = produceWithPatches(this.state.graph, recipe);
    if (patches.length === 0) return false;
    const now = Date.now();
    const last = this.past[this.past.length - 1];
    if (opts.key && last && last.key === opts.key && now - last.at < COALESCE_MS && this.future.length === 0) {
      last.patches = [...last.patches, ...patches];
      last.inverse = [...inverse, ...last.inverse];
      last.at = now;
    } else {
      this.past.push({ patches, inverse, key: opts.key, at: now });
      if (this.past.length > HISTORY_LIMIT) this.past.shift();
    }
    this.future = [];
    this.set({ graph, version: this.state.version + 1 });
    return true;
  }

  undo(): void {
    const step = this.past.pop();
    if (!step) return;
    this.future.push(step);
    this.set({ graph: applyPatches(this.state.graph, step.inverse), version: this.state.version + 1 });
  }

  redo(): void {
    const step = this.future.pop();
    if (!step) return;
    this.past.push({ ...step, key: undefined });
    this.set({ graph: applyPatches(this.state.graph, step.patches), version: this.state.version + 1 });
  }

  /** Replaces the document (new, open, recover); history starts afresh. */
  load(graph: Graph, path: string | null, opts: { graphDir?: string | null; dirty?: boolean } = {}): void {
    this.past = [];
    this.future = [];
    const version = this.state.version + 1;
    this.set({ graph, path, graphDir: opts.graphDir ?? null, version, savedVersion: opts.dirty ? -1 : version });
  }

  markSaved(path: string, graph?: Graph): void {
    this.set({ path, graphDir: null, graph: graph ?? this.state.graph, savedVersion: this.state.version });
  }
}
