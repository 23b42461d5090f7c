import { useReactFlow } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ShellApi } from '../../../nodes/sdk/doors/shell-api.ts';
import type { TemplateInfo } from '../../../nodes/sdk/doors/weft-api.ts';
import type { Selection } from '../editor/Canvas.tsx';
import { NO_SELECTION } from '../editor/use-editing.ts';
import { fitGraph } from '../editor/fit.ts';
import { errorText, useDoc, useEditor } from '../context.ts';
import { emptyGraph } from '../store/doc-store.ts';
import { absolutize, baseName, dirName } from './local-files.ts';
import { clearAutosave, readAutosave } from './drafts.ts';
import { followActiveRun, samePipeline } from '../runs/reattach.ts';
import { recentFilesStore } from './recent-files.ts';

/** The in-page file dialogs (the browser's; the desktop app asks with its native ones). */
export type FileDialog = 'open' | 'saveAs';

/**
 * The graph's file: new, open (a path, a recent file, a template), save, save as, the recent list,
 * and, at start-up, the graph named in the page's address or the edits autosave recovered.
 */
export function useGraphFile(options: { shell: ShellApi | null; graphDir: string | undefined; setSelection(s: Selection): void; setDialog(d: FileDialog | null): void }) {
  const { api, doc, runs, specs, toast } = useEditor();
  const state = useDoc();
  const flow = useReactFlow();
  const { shell, graphDir, setSelection, setDialog } = options;
  const fail = useCallback((e: unknown) => toast(errorText(e), 'error', 'file'), [toast]);

  const [templates, setTemplates] = useState<TemplateInfo[]>([]);
  useEffect(() => void api.listTemplates().then(setTemplates, () => setTemplates([])), [api]);

  const recents = useMemo(() => recentFilesStore(shell), [shell]);
  const [recent, setRecent] = useState<string[]>([]);
  const refreshRecent = useCallback(() => void recents.list().then(setRecent, () => setRecent([])), [recents]);
  useEffect(refreshRecent, [refreshRecent]);
  const addRecent = useCallback((path: string) => void recents.add(path).then(refreshRecent, () => undefined), [recents, refreshRecent]);
  const removeRecent = useCallback((path: string) => void recents.remove(path).then(refreshRecent, () => undefined), [recents, refreshRecent]);

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
        setTimeout(() => fitGraph(flow), 50);
        toast(`Opened ${isTemplate ? `template “${opened.graph.meta.name ?? baseName(opened.path)}”` : baseName(opened.path)}`, 'success', 'file');
      } catch (e) {
        if (/ENOENT|no such file/i.test(errorText(e))) removeRecent(path);
        fail(e);
      }
    },
    [api, doc, runs, flow, toast, fail, templates, addRecent, removeRecent, setSelection, setDialog],
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
        clearAutosave(api);
        setDialog(null);
        toast(`Saved ${baseName(opened.path)}`, 'success', 'file');
      } catch (e) {
        fail(e);
      }
    },
    [api, doc, specs, graphDir, toast, fail, addRecent, setDialog],
  );

  const suggestedPath = `graphs/${(state.graph.meta.name ?? 'untitled').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'untitled'}.weft.json`;
  // The desktop app asks with its native dialogs; the browser with Weft's own.
  const saveAs = useCallback(() => {
    if (!shell) return setDialog('saveAs');
    shell.chooseGraphSavePath(baseName(state.path ?? suggestedPath)).then((p) => p && void saveTo(p), fail);
  }, [shell, state.path, suggestedPath, saveTo, fail, setDialog]);
  const save = useCallback(() => (state.path ? void saveTo(state.path) : saveAs()), [state.path, saveTo, saveAs]);

  const newGraph = useCallback(() => {
    if (doc.dirty && !confirm('Discard unsaved changes?')) return;
    doc.load(emptyGraph(), null);
    runs.closeViewing();
    runs.clearLive();
    setSelection(NO_SELECTION);
    clearAutosave(api);
  }, [api, doc, runs, setSelection]);

  const open = useCallback(() => {
    if (!shell) return setDialog('open');
    shell.chooseGraphToOpen().then((p) => p && void openPath(p), fail);
  }, [shell, openPath, fail, setDialog]);

  // Start-up: unsaved edits first, always; else the graph named on the command line. The printed URL
  // names that graph, so reloading it must not replace other unsaved work (a new graph, another
  // file) with it: the edits come back, and the toast says how to get to the named graph.
  // A run still under way (the tab was closed or reloaded mid-run, or this is a second window) is
  // followed as if the page had never closed: its graph on the canvas, live progress, charts, logs
  // and controls. Its graph is the document unless unsaved edits of another pipeline take that
  // place; then the run shows read-only beside them ("Back to editor" returns to the edits).
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const wanted = new URLSearchParams(location.search).get('graph');
    void Promise.all([readAutosave(api), followActiveRun(api, runs)]).then(([recovered, following]) => {
      if (recovered) {
        doc.load(recovered.graph, recovered.path, { graphDir: recovered.graphDir, dirty: true });
        setTimeout(() => fitGraph(flow), 50);
        const notOpened = wanted && recovered.path !== wanted ? ` ${baseName(wanted)} was not opened over them: save them (or choose New), then open it.` : '';
        toast(`Recovered unsaved edits from ${new Date(recovered.savedAt).toLocaleTimeString()}${recovered.path ? ` to ${baseName(recovered.path)}` : ''}.${notOpened}`, 'info');
        if (following && runs.live?.runId === following.id && !samePipeline(recovered.graph, following.graph)) runs.view(following, runs.live);
      } else if (following) {
        doc.load(following.graph, following.graphFile ?? null, { graphDir: following.graphFile ? null : following.graphDir });
        setTimeout(() => fitGraph(flow), 50);
      } else if (wanted) void openPath(wanted);
      if (following) toast(`Run ${following.id} is still going: following it here (progress, charts, logs; Pause and Cancel act on it).`, 'info', 'run');
    });
  }, [api, doc, runs, openPath, toast, flow]);

  return { templates, recent, suggestedPath, openPath, saveTo, save, saveAs, open, newGraph };
}
