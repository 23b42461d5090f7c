import { ReactFlowProvider } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { commandTooltip, type CommandId } from '../../nodes/sdk/commands.ts';
import type { NodeSpec } from '../../nodes/sdk/define-node.ts';
import type { WeftApi } from '../../nodes/sdk/doors/weft-api.ts';
import type { Graph } from '../../nodes/sdk/graph.ts';
import { hostApi, isWebMode, onConnectionChange } from './api.ts';
import { useCommands } from './commands/use-commands.ts';
import { EditorContext, errorText, useDoc, useEditor, useRunsPhase, type Editor, type ToastKind, type ToastTopic } from './context.ts';
import { Canvas } from './editor/Canvas.tsx';
import { Palette } from './editor/Palette.tsx';
import { useEditing, NO_SELECTION } from './editor/use-editing.ts';
import { useValidation } from './editor/use-validation.ts';
import { FieldProblems } from './inspector/field-problems.ts';
import { OpenDialog, SaveAsDialog, ShortcutsDialog, TemplatesDialog } from './files/FileDialogs.tsx';
import { baseName, dirName } from './files/local-files.ts';
import { useAutosave } from './files/use-autosave.ts';
import { useGraphFile, type FileDialog } from './files/use-graph-file.ts';
import { Inspector } from './inspector/Inspector.tsx';
import { Playground } from './playground/Playground.tsx';
import { PlaygroundModel } from './playground/playground-model.ts';
import { RunPanel, SHOW_TAB_EVENT } from './runs/RunPanel.tsx';
import { RunsModel } from './runs/runs-model.ts';
import { useRunControl } from './runs/use-run-control.ts';
import { desktopShell } from './shell/desktop-shell.ts';
import { DocStore } from './store/doc-store.ts';
import { Toolbar } from './Toolbar.tsx';
import { EndpointsDialog } from './endpoints/EndpointsDialog.tsx';
import { EndpointsStore } from './endpoints/endpoints-store.ts';

interface Toast {
  id: number;
  message: string;
  kind: ToastKind;
  topic?: ToastTopic;
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
  const toast = useCallback((message: string, kind: ToastKind = 'info', topic?: ToastTopic) => {
    const id = Math.random();
    // A toast on a topic replaces the older ones on it: they no longer apply.
    setToasts((t) => [...t.filter((x) => !topic || x.topic !== topic).slice(-3), { id, message, kind, ...(topic ? { topic } : {}) }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), kind === 'error' ? 9000 : 4500);
  }, []);
  const dismissToasts = useCallback((...topics: ToastTopic[]) => setToasts((t) => t.filter((x) => !x.topic || !topics.includes(x.topic))), []);
  const editor = useMemo<Editor>(
    () => ({ api, specs: new Map(specList.map((s) => [s.type, s])), doc: new DocStore(), runs: new RunsModel(), playground: new PlaygroundModel(), endpoints: new EndpointsStore(api), fieldProblems: new FieldProblems(), toast, dismissToasts }),
    [api, specList, toast, dismissToasts],
  );
  useEffect(() => api.subscribe(editor.runs.handle), [api, editor]);
  useEffect(() => api.subscribe(editor.playground.handle), [api, editor]);
  return (
    <EditorContext.Provider value={editor}>
      <Workbench specList={specList} />
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'} data-testid="toast" data-kind={t.kind}>
            {t.message}
          </div>
        ))}
      </div>
    </EditorContext.Provider>
  );
}

/** The editor's layout; each concern lives in its own hook. */
function Workbench({ specList }: { specList: NodeSpec[] }) {
  const { doc, runs, toast, playground, endpoints, fieldProblems } = useEditor();
  const playgroundVisible = useSyncExternalStore(playground.subscribe, () => playground.getState().visible);
  const state = useDoc();
  useRunsPhase();
  const [dialog, setDialog] = useState<null | FileDialog | 'templates' | 'help' | 'endpoints'>(null);
  const [connected, setConnected] = useState(true);
  useEffect(() => onConnectionChange(setConnected), []);
  const shell = useMemo(desktopShell, []);
  const fail = useCallback((e: unknown) => toast(errorText(e), 'error'), [toast]);

  const viewing = runs.viewing;
  const readOnly = viewing !== null;
  const graph: Graph = viewing ? viewing.record.graph : state.graph;
  const graphDir = state.graphDir ?? (state.path ? dirName(state.path) : undefined);

  const editing = useEditing(graph, readOnly);
  const { selection, setSelection } = editing;
  const file = useGraphFile({ shell, graphDir, setSelection, setDialog });
  useAutosave(shell);
  const [validationErrors, setErrors, warnings] = useValidation(graphDir, readOnly);
  // A value refused in a field is a problem too: the graph never got it, so validation cannot see it.
  const refusedFields = useSyncExternalStore(fieldProblems.subscribe, fieldProblems.list);
  const errors = useMemo(() => (refusedFields.length ? [...validationErrors, ...refusedFields] : validationErrors), [validationErrors, refusedFields]);
  const runControl = useRunControl({ graphDir, graphFile: state.path, readOnly, onRefused: setErrors });
  const runUnlessFieldRefused = () => {
    const first = fieldProblems.list()[0];
    if (!first) return runControl.run();
    const node = graph.nodes.find((n) => n.id === first.nodeId);
    toast(`Can't run yet: ${node?.label ?? first.nodeId} has a value that was not applied (${first.param}: ${first.message}). Fix the field, or select another node to drop the typing.`, 'error', 'run');
  };

  const handlers: Record<CommandId, () => void> = {
    new: file.newGraph,
    open: file.open,
    save: file.save,
    'save-as': file.saveAs,
    templates: () => setDialog('templates'),
    'close-viewing': () => runs.closeViewing(),
    undo: () => doc.undo(),
    redo: () => doc.redo(),
    cut: editing.cut,
    copy: editing.copy,
    paste: editing.paste,
    duplicate: editing.duplicate,
    delete: editing.removeSelection,
    'select-all': editing.selectAll,
    'clear-selection': () => setSelection(NO_SELECTION),
    fit: editing.fit,
    tidy: editing.tidy,
    history: () => window.dispatchEvent(new CustomEvent(SHOW_TAB_EVENT, { detail: 'history' })),
    // Like the toolbar button, View > Playground shows and hides it.
    playground: () => (playground.getState().visible ? playground.close() : playground.open()),
    shortcuts: () => setDialog('help'),
    run: runUnlessFieldRefused,
    pause: runControl.pause,
    resume: runControl.resume,
    cancel: runControl.cancel,
  };
  const enabled = {
    undo: !readOnly && state.canUndo,
    redo: !readOnly && state.canRedo,
    tidy: !readOnly,
    run: !readOnly && !runControl.running,
  };
  const run = useCommands({ handlers, enabled }, { shell, dialogOpen: dialog !== null, openRecent: (p) => void file.openPath(p) });

  const selectedNode = selection.nodes.size === 1 ? (graph.nodes.find((n) => selection.nodes.has(n.id)) ?? null) : null;
  const fileName = state.path ? baseName(state.path) : state.graphDir ? `${state.graph.meta.name ?? 'Template'} (template)` : 'Untitled';

  return (
    <div className="app">
      <Toolbar
        run={run}
        enabled={enabled}
        fileName={fileName}
        path={state.path}
        dirty={doc.dirty}
        empty={state.graph.nodes.length === 0}
        playgroundVisible={playgroundVisible}
        running={runControl.running}
        live={runControl.live}
        connected={connected}
        onEndpoints={() => setDialog('endpoints')}
      />
      {viewing && (
        <div className="banner" data-testid="viewing-banner">
          Viewing run <b className="mono">{viewing.record.id}</b> ({runs.shown?.state ?? viewing.record.state}) — the graph as it ran, read-only.
          <button onClick={() => run('close-viewing')}>Back to editor</button>
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
        <Palette specs={specList} onAdd={editing.addAtCentre} />
        <div className="centre">
          <Canvas graph={graph} readOnly={readOnly} errors={readOnly ? [] : errors} warnings={readOnly ? [] : warnings} selection={selection} onSelection={setSelection} />
          <RunPanel focusNode={selectedNode?.id ?? null} onError={fail} />
        </div>
        <Inspector node={selectedNode} edges={graph.edges} readOnly={readOnly} errors={errors} warnings={readOnly ? [] : warnings} graphDir={graphDir} />
        {playgroundVisible && <Playground model={playground} onClose={() => playground.close()} />}
      </div>
      <footer className="statusbar">
        <span>
          {graph.nodes.length} nodes · {graph.edges.length} edges
        </span>
        <span data-testid="problems">{readOnly ? '' : errors.length ? `${errors.length} problem${errors.length === 1 ? '' : 's'}` : 'No problems'}</span>
        {!readOnly && warnings.length > 0 && (
          <span data-testid="warnings" className="warning-count" title={warnings.map((w) => `${w.nodeId}: ${w.message}`).join('\n')}>
            ⚠ {warnings.length} warning{warnings.length === 1 ? '' : 's'}
          </span>
        )}
        <span className="spacer" />
        <button className="link" onClick={() => run('shortcuts')} title={commandTooltip('shortcuts')}>
          Shortcuts
        </button>
        <span className="muted">{isWebMode() ? 'Browser mode · 127.0.0.1' : 'Desktop'}</span>
      </footer>
      {dialog === 'open' && <OpenDialog templates={file.templates} recent={file.recent} onOpen={(p) => void file.openPath(p)} onTemplate={(t) => void file.openPath(t.path)} onClose={() => setDialog(null)} />}
      {dialog === 'endpoints' && <EndpointsDialog store={endpoints} onClose={() => setDialog(null)} />}
      {dialog === 'help' && <ShortcutsDialog onClose={() => setDialog(null)} />}
      {dialog === 'templates' && <TemplatesDialog templates={file.templates} onTemplate={(t) => void file.openPath(t.path).then(() => setDialog(null))} onClose={() => setDialog(null)} />}
      {dialog === 'saveAs' && <SaveAsDialog initial={state.path ?? file.suggestedPath} onSave={(p) => void file.saveTo(p)} onClose={() => setDialog(null)} />}
    </div>
  );
}
