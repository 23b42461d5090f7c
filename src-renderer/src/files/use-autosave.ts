import { useEffect } from 'react';
import type { ShellApi } from '../../../nodes/sdk/doors/shell-api.ts';
import { useDoc, useEditor } from '../context.ts';
import { baseName, heartbeat, writeAutosave } from './local-files.ts';

/**
 * Keeps unsaved work safe and visible: every edit lands in localStorage shortly after (a crash or a
 * closed tab loses nothing), and the page's title, like the desktop window's, shows the file and
 * whether it has unsaved edits (the window asks before closing then).
 */
export function useAutosave(shell: ShellApi | null): void {
  const { doc } = useEditor();
  const state = useDoc();

  useEffect(() => {
    heartbeat();
    const t = setInterval(heartbeat, 2000);
    return () => clearInterval(t);
  }, []);

  useEffect(() => {
    if (!doc.dirty) return;
    const t = setTimeout(() => writeAutosave({ graph: state.graph, path: state.path, graphDir: state.graphDir, savedAt: new Date().toISOString() }), 400);
    return () => clearTimeout(t);
  }, [state, doc]);

  useEffect(() => {
    const name = state.path ? baseName(state.path) : (state.graph.meta.name ?? 'Untitled');
    document.title = `${doc.dirty ? '• ' : ''}${name} — Weft`;
    void shell?.setDocumentState({ path: state.path, dirty: doc.dirty, title: name }).catch(() => undefined);
  }, [state, doc, shell]);
}
