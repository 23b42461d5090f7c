import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { TemplateInfo, WeftApi } from '../../nodes/sdk/doors/weft-api.ts';
import type { NodeSpec } from '../../nodes/sdk/define-node.ts';
import type { GraphError } from '../../nodes/sdk/errors.ts';
import type { Graph } from '../../nodes/sdk/graph.ts';
import { FINAL_RUN_STATES } from '../../nodes/sdk/runs.ts';
import { hostApi, isWebMode, onConnectionChange } from './api.ts';
import { EditorContext, useDoc, useEditor, useRunsPhase, type Editor, type ToastKind } from './context.ts';
import { Canvas, type Selection } from './editor/Canvas.tsx';
import { autoLayout, deleteItems, fragmentOf, isFragment, newNode, pasteFragment } from './editor/graph-ops.ts';
import { Palette } from './editor/Palette.tsx';
import { OpenDialog, SaveAsDialog, ShortcutsDialog, TemplatesDialog } from './files/FileDialogs.tsx';
import { absolutize, baseName, clearAutosave, dirName, heartbeat, readAutosave, readClipboard, writeAutosave, writeClipboard } from './files/local-files.ts';
import { recentFilesStore } from './files/recent-files.ts';
import { desktopShell } from './shell/desktop-shell.ts';
import { useMenuCommands } from './shell/use-menu-commands.ts';
import { SHOW_TAB_EVENT } from './runs/RunPanel.tsx';
import type { MenuCommand } from '../../nodes/sdk/doors/shell-api.ts';
import { Inspector } from './inspector/Inspector.tsx';
import { RunPanel } from './runs/RunPanel.tsx';
import { RunsModel } from './runs/runs-model.ts';
import { Playground } from './playground/Playground.tsx';
import { PlaygroundModel } from './playground/playground-model.ts';
import { DocStore, emptyGraph } from './store/doc-store.ts';
import { useShortcuts } from './shortcuts.ts';

interface Toast {
  id: number;
  message: string;
  kind: ToastKind;
}

const NO_SELECTION: Selection = { nodes: new Set(), edges: new Set() };

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Loads the catalogue, then hands over to the editor. */
export function App() {
  const api = useMemo<WeftApi>(() => hostApi(), []);
  const [specs, setSpecs] = useState<NodeSpec[] | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  useEffect(() => {
    api.listNodeTypes().then(setSpecs, (e: unknown) =>
      setFatal(isWebMode() ? `Could not reach Weft (${errorText(e)}). Open the address \`weft serve\` printed; it carries this session's key.` : errorText(e)),
    );
  }, [api]);
  if (fatal) return <div className="fatal" role="alert">{fatal}</div>;
  if (!specs) return <div className="loading">Loading Weft…</div>;
  return (
    <ReactFlowProvider>
      <EditorShell api={api} specList={specs} />
    </ReactFlowProvider>
  );
}

function EditorShell({ api, specList }: { api: WeftApi; specList: NodeSpec[] }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const toast = useCallback((message: string, kind: ToastKind = 'info') => {
    const id = Math.random();
    setToasts((t) => [...t.slice(-3), { id, message, kind }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), kind === 'error' ? 9000 : 4500);
  }, []);
  const editor = useMemo<Editor>(
    () => ({ api, specs: new Map(specList.map((s) => [s.type, s])), doc: new DocStore(), runs: new RunsModel(), playground: new PlaygroundModel(), toast }),
    [api, specList, toast],
  );
  useEffect(() => api.subscribe(editor.runs.handle), [api, editor]);
  useEffect(() => api.subscribe(editor.playground.handle), [api, editor]);
  return (
    <EditorContext.Provider value={editor}>
      <Workbench specList={specList} />
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'} data-testid="toast">
            {t.message}
          </div>
        ))}
      </div>
    </EditorContext.Provider>
  );
}

function Workbench({ specList }: { specList: NodeSpec[] }) {
  const { api, doc, runs, specs, toast, playground } = useEditor();
  const playgroundVisible = useSyncExternalStore(playground.subscribe, () => playground.getState().visible);
  const state = useDoc();
  const phase = useRunsPhase();
  const flow = useReactFlow();
  const [selection, setSelection] = useState<Selection>(NO_SELECTION);
  const [errors, setErrors] = useState<GraphError[]>([]);
  const [dialog, setDialog] = useState<null | 'open' | 'saveAs' | 'templates' | 'help'>(null);
  const [templates, setTemplates] = useState<TemplateInfo[]>([]);
  const [connected, setConnected] = useState(true);
  const shell = useMemo(desktopShell, []);
  const recents = useMemo(() => recentFilesStore(shell), [shell]);
  const [recent, setRecent] = useState<string[]>([]);
  const refreshRecent = useCallback(() => void recents.list().then(setRecent, () => setRecent([])), [recents]);
  useEffect(refreshRecent, [refreshRecent]);
  const addRecent = useCallback((path: string) => void recents.add(path).then(refreshRecent, () => undefined), [recents, refreshRecent]);
  const removeRecent = useCallback((path: string) => void recents.remove(path).then(refreshRecent, () => undefined), [recents, refreshRecent]);
  const fail = useCallback((e: unknown) => toast(errorText(e), 'error'), [toast]);

  const viewing = runs.viewing;
  const readOnly = viewing !== null;
  const graph: Graph = viewing ? viewing.record.graph : state.graph;
  const live = runs.live;
  const running = !!live && !FINAL_RUN_STATES.includes(live.state);
  const graphDir = state.graphDir ?? (state.path ? dirName(state.path) : undefined);

  useEffect(() => onConnectionChange(setConnected), []);
  // An undo or a delete can remove selected nodes: the selection forgets them, or the next click
  // would add to a selection of ghosts and the inspector would stay empty.
  useEffect(() => {
    const nodeIds = new Set(graph.nodes.map((n) => n.id));
    const edgeIds = new Set(graph.edges.map((e) => e.id));
    setSelection((s) =>
      [...s.nodes].every((id) => nodeIds.has(id)) && [...s.edges].every((id) => edgeIds.has(id))
        ? s
        : { nodes: new Set([...s.nodes].filter((id) => nodeIds.has(id))), edges: new Set([...s.edges].filter((id) => edgeIds.has(id))) },
    );
  }, [graph]);
  useEffect(() => void api.listTemplates().then(setTemplates, () => setTemplates([])), [api]);

  // --- files -------------------------------------------------------------
  const openPath = useCallback(
    async (path: string) => {
      try {
        const opened = await api.openGraph(path);
        const isTemplate = templates.some((t) => t.path === opened.path);
        doc.load(opened.graph, isTemplate ? null : opened.path, { graphDir: isTemplate ? dirName(opened.path) : null });
        if (!isTemplate) addRecent(opened.path);
        runs.closeViewing();
        setSelection(NO_SELECTION);
        setDialog(null);
        setTimeout(() => flow.fitView({ padding: 0.2, maxZoom: 1.2 }), 50);
        toast(`Opened ${isTemplate ? `template “${opened.graph.meta.name ?? baseName(opened.path)}”` : baseName(opened.path)}`, 'success');
      } catch (e) {
        if (/ENOENT|no such file/i.test(errorText(e))) removeRecent(path);
        fail(e);
      }
    },
    [api, doc, runs, flow, toast, fail, templates, addRecent, removeRecent],
  );

  const saveTo = useCallback(
    async (path: string) => {
      let g = doc.getState().graph;
      // A new graph takes its file's name, so history lists it by something better than "Untitled".
      if (!g.meta.name || g.meta.name === 'Untitled') g = { ...g, meta: { ...g.meta, name: baseName(path).replace(/\.weft\.json$/, '') } };
      const fromDir = graphDir;
      const toDir = dirName(path);
      // Relative file params would point elsewhere from a new folder: keep them pointing at the same files.
      if (fromDir && path.startsWith('/') && fromDir !== toDir) {
        g = {
          ...g,
          nodes: g.nodes.map((n) => {
            const spec = specs.get(n.type);
            const params = { ...n.params };
            for (const [k, p] of Object.entries(spec?.params ?? {})) if ((p.kind === 'file' || p.kind === 'folder') && typeof params[k] === 'string' && params[k]) params[k] = absolutize(params[k] as string, fromDir);
            return { ...n, params };
          }),
        };
      }
      try {
        await api.saveGraph(path, g);
        const opened = await api.openGraph(path);
        doc.markSaved(opened.path, g === doc.getState().graph ? undefined : g);
        addRecent(opened.path);
        clearAutosave();
        setDialog(null);
        toast(`Saved ${baseName(opened.path)}`, 'success');
      } catch (e) {
        fail(e);
      }
    },
    [api, doc, specs, graphDir, toast, fail, addRecent],
  );

  const suggestedPath = `graphs/${(state.graph.meta.name ?? 'untitled').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'untitled'}.weft.json`;
  // The desktop app asks with its native dialogs; the browser with Weft's own.
  const saveAs = useCallback(() => {
    if (!shell) return setDialog('saveAs');
    shell.chooseGraphSavePath(baseName(state.path ?? suggestedPath)).then((p) => p && void saveTo(p), fail);
  }, [shell, state.path, suggestedPath, saveTo, fail]);
  const save = useCallback(() => (state.path ? void saveTo(state.path) : saveAs()), [state.path, saveTo, saveAs]);

  const newGraph = useCallback(() => {
    if (doc.dirty && !confirm('Discard unsaved changes?')) return;
    doc.load(emptyGraph(), null);
    runs.closeViewing();
    runs.clearLive();
    setSelection(NO_SELECTION);
    clearAutosave();
  }, [doc, runs]);

  const openTemplate = useCallback((t: TemplateInfo) => void openPath(t.path), [openPath]);
  const open = useCallback(() => {
    if (!shell) return setDialog('open');
    shell.chooseGraphToOpen().then((p) => p && void openPath(p), fail);
  }, [shell, openPath, fail]);

  // Start-up: a graph named on the command line, unless autosave holds newer edits to it (or to a new graph).
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const wanted = new URLSearchParams(location.search).get('graph');
    const recovered = readAutosave();
    if (recovered && (!wanted || recovered.path === wanted)) {
      doc.load(recovered.graph, recovered.path, { graphDir: recovered.graphDir, dirty: true });
      setTimeout(() => flow.fitView({ padding: 0.2, maxZoom: 1.2 }), 50);
      toast(`Recovered unsaved edits from ${new Date(recovered.savedAt).toLocaleTimeString()}${recovered.path ? ` to ${baseName(recovered.path)}` : ''}.`, 'info');
    } else if (wanted) void openPath(wanted);
  }, [doc, openPath, toast, flow]);

  useEffect(() => {
    heartbeat();
    const t = setInterval(heartbeat, 2000);
    return () => clearInterval(t);
  }, []);

  // Autosave: every edit lands in localStorage shortly after, so a crash or closed tab loses nothing.
  useEffect(() => {
    if (!doc.dirty) return;
    const t = setTimeout(() => writeAutosave({ graph: state.graph, path: state.path, graphDir: state.graphDir, savedAt: new Date().toISOString() }), 400);
    return () => clearTimeout(t);
  }, [state, doc]);

  useEffect(() => {
    const name = state.path ? baseName(state.path) : (state.graph.meta.name ?? 'Untitled');
    document.title = `${doc.dirty ? '• ' : ''}${name} — Weft`;
    // The desktop window shows the same, and asks before closing with unsaved edits.
    void shell?.setDocumentState({ path: state.path, dirty: doc.dirty, title: name }).catch(() => undefined);
  }, [state, doc, shell]);

  // Validation: the engine's own checks, shown on the nodes, ports and params they concern.
  useEffect(() => {
    if (readOnly) return setErrors([]);
    const t = setTimeout(() => {
      api.validateGraph(state.graph, graphDir).then(
        (r) => setErrors(r.errors),
        () => {},
      );
    }, 250);
    return () => clearTimeout(t);
  }, [api, state.graph, graphDir, readOnly]);

  // --- runs --------------------------------------------------------------
  const run = useCallback(async () => {
    if (readOnly || running) return;
    runs.expectRun();
    try {
      const g = doc.getState().graph;
      const { runId } = await api.startRun({ graph: g, graphDir, graphFile: state.path ?? undefined });
      runs.startLive(runId, g.nodes.map((n) => n.id));
    } catch (e) {
      runs.clearLive();
      const list = (e as { errors?: GraphError[] }).errors;
      if (Array.isArray(list)) {
        setErrors(list);
        toast(`Can't run yet: ${list.length} problem${list.length === 1 ? '' : 's'} marked on the canvas. ${list[0]?.message ?? ''}`, 'error');
      } else fail(e);
    }
  }, [api, doc, runs, graphDir, state.path, readOnly, running, toast, fail]);

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
      if (live.state === 'succeeded') toast('Run succeeded', 'success');
      else if (live.state === 'failed') toast(`Run failed${live.error ? `: ${live.error}` : '. The failed node shows why.'}`, 'error');
      else if (live.state === 'cancelled') toast('Run cancelled', 'info');
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [live?.state, live?.runId]);

  // --- editing -----------------------------------------------------------
  const addAtCentre = useCallback(
    (spec: NodeSpec) => {
      const el = document.querySelector('.canvas')!.getBoundingClientRect();
      const p = flow.screenToFlowPosition({ x: el.left + el.width / 2, y: el.top + el.height / 2 });
      let id = '';
      doc.edit((g) => {
        const n = newNode(g, spec, { x: p.x - 110 + ((g.nodes.length * 24) % 120), y: p.y - 40 + ((g.nodes.length * 24) % 120) });
        id = n.id;
        g.nodes.push(n);
      });
      setSelection({ nodes: new Set([id]), edges: new Set() });
    },
    [doc, flow],
  );

  const removeSelection = useCallback(() => {
    if (readOnly) return;
    doc.edit((g) => deleteItems(g, selection.nodes, selection.edges));
    setSelection(NO_SELECTION);
  }, [doc, selection, readOnly]);

  const copy = useCallback(() => {
    if (selection.nodes.size) writeClipboard(fragmentOf(graph, selection.nodes));
  }, [graph, selection]);

  const paste = useCallback(
    (fragment: unknown = readClipboard()) => {
      if (readOnly || !isFragment(fragment)) return;
      let ids: string[] = [];
      doc.edit((g) => void (ids = pasteFragment(g, fragment)));
      setSelection({ nodes: new Set(ids), edges: new Set() });
    },
    [doc, readOnly],
  );

  const duplicate = useCallback(() => {
    if (selection.nodes.size) paste(fragmentOf(state.graph, selection.nodes));
  }, [paste, state.graph, selection]);

  const layout = useCallback(() => {
    if (readOnly) return;
    doc.edit((g) => autoLayout(g));
    setTimeout(() => flow.fitView({ padding: 0.2, maxZoom: 1.2, duration: 200 }), 30);
  }, [doc, flow, readOnly]);

  useShortcuts({
    undo: () => !readOnly && doc.undo(),
    redo: () => !readOnly && doc.redo(),
    save,
    saveAs,
    open,
    newGraph,
    remove: removeSelection,
    copy,
    cut: () => {
      copy();
      removeSelection();
    },
    paste: () => paste(),
    duplicate,
    selectAll: () => setSelection({ nodes: new Set(graph.nodes.map((n) => n.id)), edges: new Set(graph.edges.map((e) => e.id)) }),
    fit: () => flow.fitView({ padding: 0.2, maxZoom: 1.2, duration: 200 }),
    layout,
    run: () => void run(),
    escape: () => setSelection(NO_SELECTION),
    help: () => setDialog('help'),
  });

  const actions = {
    new: newGraph,
    open,
    save,
    'save-as': saveAs,
    templates: () => setDialog('templates'),
    'close-viewing': () => runs.closeViewing(),
    undo: () => !readOnly && doc.undo(),
    redo: () => !readOnly && doc.redo(),
    cut: () => {
      copy();
      removeSelection();
    },
    copy,
    paste: () => paste(),
    duplicate,
    delete: removeSelection,
    'select-all': () => setSelection({ nodes: new Set(graph.nodes.map((n) => n.id)), edges: new Set(graph.edges.map((e) => e.id)) }),
    fit: () => flow.fitView({ padding: 0.2, maxZoom: 1.2, duration: 200 }),
    tidy: layout,
    history: () => window.dispatchEvent(new CustomEvent(SHOW_TAB_EVENT, { detail: 'history' })),
    // Like the toolbar button, View > Playground shows and hides it.
    playground: () => (playground.getState().visible ? playground.close() : playground.open()),
    shortcuts: () => setDialog('help'),
    'clear-selection': () => setSelection(NO_SELECTION),
    run: () => void run(),
    pause: control('pause'),
    resume: control('resume'),
    cancel: control('cancel'),
  } satisfies Record<Exclude<MenuCommand['command'], 'open-recent'>, () => unknown>;
  // As with the keyboard shortcuts: while a dialog is open, the graph behind it is not edited.
  const GRAPH_EDITS = new Set<MenuCommand['command']>(['undo', 'redo', 'cut', 'copy', 'paste', 'duplicate', 'delete', 'select-all', 'tidy']);
  useMenuCommands(shell, (c) => {
    if (GRAPH_EDITS.has(c.command) && (dialog !== null || document.querySelector('.modal'))) return;
    if (c.command === 'open-recent') void openPath(c.path);
    else actions[c.command]();
  });

  const selectedNode = selection.nodes.size === 1 ? (graph.nodes.find((n) => selection.nodes.has(n.id)) ?? null) : null;
  const fileName = state.path ? baseName(state.path) : state.graphDir ? `${state.graph.meta.name ?? 'Template'} (template)` : 'Untitled';
  void phase;

  return (
    <div className="app">
      <header className="toolbar">
        <div className="brand">Weft</div>
        <div className="group">
          <button onClick={newGraph} title="New (Ctrl+N)">New</button>
          <button onClick={open} title="Open (Ctrl+O)" data-testid="open">
            Open
          </button>
          <button onClick={save} title="Save (Ctrl+S)" data-testid="save">
            Save
          </button>
          <button onClick={saveAs} title="Save as (Ctrl+Shift+S)">
            Save as
          </button>
          <button onClick={() => setDialog('templates')} data-testid="templates-button">
            Templates
          </button>
        </div>
        <div className="group">
          <button className={playgroundVisible ? 'on' : ''} onClick={() => (playgroundVisible ? playground.close() : playground.open())} title="Chat with or complete text from a model a run produced" data-testid="playground-button">
            Playground
          </button>
        </div>
        <div className="group">
          <button onClick={() => doc.undo()} disabled={!state.canUndo || readOnly} title="Undo (Ctrl+Z)" data-testid="undo">
            ↶
          </button>
          <button onClick={() => doc.redo()} disabled={!state.canRedo || readOnly} title="Redo (Ctrl+Shift+Z)" data-testid="redo">
            ↷
          </button>
          <button onClick={layout} disabled={readOnly} title="Tidy layout (L)">
            Tidy
          </button>
          <button onClick={() => flow.fitView({ padding: 0.2, maxZoom: 1.2, duration: 200 })} title="Fit view (F)">
            Fit
          </button>
        </div>
        <div className="file" data-testid="file-name" title={state.path ?? undefined}>
          {fileName}
          {doc.dirty && (
            <span className="dirty" data-testid="dirty" title="Unsaved changes">
              ●
            </span>
          )}
        </div>
        <div className="group run-group">
          {!running ? (
            <button className="primary" onClick={() => void run()} disabled={readOnly || state.graph.nodes.length === 0} title="Run (Ctrl+Enter)" data-testid="run">
              ▶ Run
            </button>
          ) : (
            <>
              {live?.state === 'paused' ? (
                <button onClick={control('resume')} data-testid="resume">
                  ▶ Resume
                </button>
              ) : (
                <button onClick={control('pause')} data-testid="pause">
                  ❚❚ Pause
                </button>
              )}
              <button className="danger" onClick={control('cancel')} data-testid="cancel">
                ■ Cancel
              </button>
            </>
          )}
          <span className={`run-state state-${live?.state ?? 'idle'}`} data-testid="run-state">
            {live && live.runId !== 'pending' ? live.state : live ? 'starting' : 'ready'}
          </span>
        </div>
        {!connected && <div className="offline">Disconnected from Weft</div>}
      </header>
      {viewing && (
        <div className="banner" data-testid="viewing-banner">
          Viewing run <b className="mono">{viewing.record.id}</b> ({runs.shown?.state ?? viewing.record.state}) — the graph as it ran, read-only.
          <button onClick={() => runs.closeViewing()}>Back to editor</button>
          <button
            onClick={() => {
              doc.load(structuredClone(viewing.record.graph), null, { graphDir: viewing.record.graphDir, dirty: true });
              runs.closeViewing();
            }}
          >
            Edit a copy
          </button>
        </div>
      )}
      <div className="main">
        <Palette specs={specList} onAdd={addAtCentre} />
        <div className="centre">
          <Canvas graph={graph} readOnly={readOnly} errors={readOnly ? [] : errors} selection={selection} onSelection={setSelection} />
          <RunPanel focusNode={selectedNode?.id ?? null} onError={fail} />
        </div>
        <Inspector node={selectedNode} readOnly={readOnly} errors={errors} />
        {playgroundVisible && <Playground model={playground} onClose={() => playground.close()} />}
      </div>
      <footer className="statusbar">
        <span>
          {graph.nodes.length} nodes · {graph.edges.length} edges
        </span>
        <span data-testid="problems">{readOnly ? '' : errors.length ? `${errors.length} problem${errors.length === 1 ? '' : 's'}` : 'No problems'}</span>
        <span className="spacer" />
        <button className="link" onClick={() => setDialog('help')} title="Keyboard shortcuts (?)">
          Shortcuts
        </button>
        <span className="muted">{isWebMode() ? 'Browser mode · 127.0.0.1' : 'Desktop'}</span>
      </footer>
      {dialog === 'open' && <OpenDialog templates={templates} recent={recent} onOpen={(p) => void openPath(p)} onTemplate={openTemplate} onClose={() => setDialog(null)} />}
      {dialog === 'help' && <ShortcutsDialog onClose={() => setDialog(null)} />}
      {dialog === 'templates' && <TemplatesDialog templates={templates} onTemplate={(t) => void openPath(t.path).then(() => setDialog(null))} onClose={() => setDialog(null)} />}
      {dialog === 'saveAs' && (
        <SaveAsDialog initial={state.path ?? suggestedPath} onSave={(p) => void saveTo(p)} onClose={() => setDialog(null)} />
      )}
    </div>
  );
}
