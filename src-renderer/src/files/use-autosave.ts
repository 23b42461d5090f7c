import { useEffect } from 'react';
import type { ShellApi } from '../../../nodes/sdk/doors/shell-api.ts';
import { useDoc, useEditor } from '../context.ts';
import { baseName } from './local-files.ts';
import { heartbeat, writeAutosave } from './drafts.ts';

/**
 * Keeps unsaved work safe and visible: every edit lands in the workspace shortly after (a crash or a
 * closed tab loses nothing), and the page's title, like the desktop window's, shows the file and
 * whether it has unsaved edits (the window asks before closing then).
 */
export function useAutosave(shell: ShellApi | null): void {
  const { api, doc } = useEditor();
  const state = useDoc();

  useEffect(() => {
    heartbeat(api);
    const t = setInterval(() => heartbeat(api), 2000);
    return () => clearInterval(t);
  }, [api]);

  useEffect(() => {
    if (!doc.dirty) return;
    const t = setTimeout(() => writeAutosave(api, { graph: state.graph, path: state.path, graphDir: state.graphDir, savedAt: new Date().toISOString() }), 400);
    return () => clearTimeout(t);
  }, [api, state, doc]);

  useEffect(() => {
    const name = state.path ? baseName(state.path) : (state.graph.meta.name ?? 'Untitled');
    document.title = `${doc.dirty ? '• ' : ''}${name} — Weft`;
    void shell?.setDocumentState({ path: state.path, dirty: doc.dirty, title: name }).catch(() => undefined);
  }, [state, doc, shell]);
}
