import { useReactFlow } from '@xyflow/react';
import { useCallback, useEffect, useState } from 'react';
import type { NodeSpec } from '../../../nodes/sdk/define-node.ts';
import type { Graph } from '../../../nodes/sdk/graph.ts';
import { useEditor } from '../context.ts';
import { readClipboard, writeClipboard } from '../files/local-files.ts';
import type { Selection } from './Canvas.tsx';
import { autoLayout, deleteItems, fragmentOf, isFragment, newNode, pasteFragment } from './graph-ops.ts';
import { fitGraph } from './fit.ts';

export const NO_SELECTION: Selection = { nodes: new Set(), edges: new Set() };

/** The selection and what edits the graph through it: add, delete, copy, paste, duplicate, tidy. */
export function useEditing(graph: Graph, readOnly: boolean) {
  const { doc } = useEditor();
  const flow = useReactFlow();
  const [selection, setSelection] = useState<Selection>(NO_SELECTION);

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
    if (selection.nodes.size) paste(fragmentOf(doc.getState().graph, selection.nodes));
  }, [paste, doc, selection]);

  const tidy = useCallback(() => {
    if (readOnly) return;
    doc.edit((g) => autoLayout(g));
    setTimeout(() => fitGraph(flow, { duration: 200 }), 30);
  }, [doc, flow, readOnly]);

  const selectAll = useCallback(() => setSelection({ nodes: new Set(graph.nodes.map((n) => n.id)), edges: new Set(graph.edges.map((e) => e.id)) }), [graph]);
  const fit = useCallback(() => fitGraph(flow, { duration: 200 }), [flow]);

  return {
    selection,
    setSelection,
    addAtCentre,
    removeSelection,
    copy,
    cut: () => {
      copy();
      removeSelection();
    },
    paste: () => paste(),
    duplicate,
    tidy,
    selectAll,
    fit,
  };
}
