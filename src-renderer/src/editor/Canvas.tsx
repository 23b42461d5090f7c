import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  applyNodeChanges,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import type { GraphError } from '../../../nodes/sdk/errors.ts';
import type { Graph } from '../../../nodes/sdk/graph.ts';
import { PORT_TYPES } from '../../../nodes/sdk/ports.ts';
import { useEditor, useRunsTick } from '../context.ts';
import { applyConnection, checkConnection, newNode } from './graph-ops.ts';
import { WeftNode, type WeftFlowNode } from './WeftNode.tsx';
import { MINIMAP } from './fit.ts';

export interface Selection {
  nodes: ReadonlySet<string>;
  edges: ReadonlySet<string>;
}

export const PALETTE_MIME = 'application/x-weft-node-type';
const nodeTypes = { weft: WeftNode };

interface Props {
  graph: Graph;
  readOnly: boolean;
  errors: GraphError[];
  /** Validation's warnings, badged on their nodes. */
  warnings?: GraphError[];
  selection: Selection;
  onSelection(s: Selection): void;
}

/** The React Flow canvas bound to the document: every change the user makes becomes one undoable edit. */
export function Canvas({ graph, readOnly, errors, warnings = [], selection, onSelection }: Props) {
  const { doc, specs, runs, toast, dismissToasts } = useEditor();
  const tick = useRunsTick();
  const flow = useReactFlow();
  const [nodes, setNodes] = useState<WeftFlowNode[]>([]);

  // Rebuild the flow nodes from the document, keeping React Flow's own measurements.
  useEffect(() => {
    const shown = runs.shown;
    setNodes((prev) => {
      const byId = new Map(prev.map((n) => [n.id, n]));
      const next = graph.nodes.map((n) => {
        const old = byId.get(n.id);
        const view = shown?.nodes[n.id];
        const mine = errors.filter((e) => e.nodeId === n.id);
        const warned = warnings.filter((w) => w.nodeId === n.id);
        // Unchanged nodes keep their data object, so React skips them while a big run streams.
        const sig = view ? `${view.state}|${view.step}|${view.total}|${view.etaMs}|${view.error}|${view.closed}|${Object.values(view.metrics).join(',')}` : '';
        const errSig = [...mine, ...warned].map((e) => `${e.code}:${e.port}:${e.param}:${e.message}`).join('|');
        const spec = specs.get(n.type);
        const same = old && old.data.node === n && old.data.spec === spec && old.data.sig === sig && old.data.errSig === errSig && old.data.view === view;
        const selected = selection.nodes.has(n.id);
        if (same && old.selected === selected && old.draggable === !readOnly && (old.dragging || old.position === n.position)) return old;
        return {
          ...old,
          id: n.id,
          type: 'weft' as const,
          position: old?.dragging ? old.position : n.position,
          selected,
          draggable: !readOnly,
          data: same ? old.data : { node: n, spec, view, errors: mine, warnings: warned, sig, errSig },
        };
      });
      // Nothing changed (most progress ticks of a big graph): keep the same array, so React Flow
      // and the minimap do not walk 300 nodes again.
      return next.length === prev.length && next.every((n, i) => n === prev[i]) ? prev : next;
    });
  }, [graph, specs, errors, warnings, selection, readOnly, tick, runs]);

  // Edges change look only when a target starts or stops running: not on every progress tick.
  const runningTargets = runs.shown ? Object.entries(runs.shown.nodes).filter(([, v]) => v.state === 'running').map(([id]) => id).join('|') : '';
  const previousEdges = useRef(new Map<string, Edge>());
  const edges = useMemo<Edge[]>(() => {
    const bad = new Set(errors.filter((e) => e.edgeId).map((e) => e.edgeId!));
    const running = new Set(runningTargets.split('|'));
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    const built = graph.edges.map((e) => {
      const src = byId.get(e.source);
      const type = src ? specs.get(src.type)?.outputs[e.sourceHandle]?.type : undefined;
      const color = bad.has(e.id) ? '#ff5d5d' : type ? PORT_TYPES[type].color : '#888';
      return {
        id: e.id,
        source: e.source,
        sourceHandle: e.sourceHandle,
        target: e.target,
        targetHandle: e.targetHandle,
        selected: selection.edges.has(e.id),
        // A bright, thicker line into a running node rather than React Flow's dash animation, which
        // repaints every animated edge on every frame.
        className: running.has(e.target) ? 'edge-running' : undefined,
        style: { stroke: color, strokeWidth: selection.edges.has(e.id) || running.has(e.target) ? 3 : 2 },
      };
    });
    // An edge that looks the same keeps its object: when one node of a big run starts or stops,
    // React Flow redraws its few edges, not all of them.
    const same = (a: Edge, b: Edge) =>
      a.source === b.source && a.sourceHandle === b.sourceHandle && a.target === b.target && a.targetHandle === b.targetHandle && a.selected === b.selected && a.className === b.className && a.style?.stroke === b.style?.stroke && a.style?.strokeWidth === b.style?.strokeWidth;
    const out = built.map((e) => {
      const old = previousEdges.current.get(e.id);
      return old && same(old, e) ? old : e;
    });
    previousEdges.current = new Map(out.map((e) => [e.id, e]));
    return out;
  }, [graph, specs, errors, selection, runningTargets]);

  // Selection is the editor's (shortcuts and the inspector use it); React Flow reports changes to it.
  const selectionRef = useRef(selection);
  selectionRef.current = selection;
  const applySelect = useCallback(
    (changes: Array<{ type: string; id?: string; selected?: boolean }>, kind: 'nodes' | 'edges') => {
      const selects = changes.filter((c): c is { type: 'select'; id: string; selected: boolean } => c.type === 'select');
      if (!selects.length) return;
      const cur = selectionRef.current;
      const next = new Set(cur[kind]);
      for (const c of selects) c.selected ? next.add(c.id) : next.delete(c.id);
      if (next.size === cur[kind].size && [...next].every((id) => cur[kind].has(id))) return;
      // Node and edge changes arrive back to back before React re-renders: chain them.
      selectionRef.current = { ...cur, [kind]: next };
      onSelection(selectionRef.current);
    },
    [onSelection],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<WeftFlowNode>[]) => {
      // Positions and sizes stay local while dragging; the document changes once, on drop.
      const local = changes.filter((c) => c.type === 'position' || c.type === 'dimensions');
      if (local.length) setNodes((ns) => applyNodeChanges(local, ns));
      applySelect(changes, 'nodes');
    },
    [applySelect],
  );

  const onEdgesChange = useCallback((changes: EdgeChange[]) => applySelect(changes, 'edges'), [applySelect]);

  const onNodeDragStop = useCallback(
    (_e: unknown, _node: WeftFlowNode, dragged: WeftFlowNode[]) => {
      const moved = new Map(dragged.map((n) => [n.id, { x: Math.round(n.position.x), y: Math.round(n.position.y) }]));
      doc.edit((g) => {
        for (const n of g.nodes) {
          const p = moved.get(n.id);
          if (p && (p.x !== n.position.x || p.y !== n.position.y)) n.position = p;
        }
      });
    },
    [doc],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (readOnly) return;
      const verdict = checkConnection(doc.getState().graph, specs, { source: c.source, sourceHandle: c.sourceHandle ?? '', target: c.target, targetHandle: c.targetHandle ?? '' });
      if (!verdict.ok) {
        toast(verdict.reason, 'error', 'connect');
        return;
      }
      doc.edit((g) => applyConnection(g, verdict));
      dismissToasts('connect');
      if (verdict.replaces) toast(`Replaced the earlier connection into "${c.targetHandle}": an input takes one edge.`, 'info', 'connect');
    },
    [doc, specs, toast, dismissToasts, readOnly],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(PALETTE_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(PALETTE_MIME);
      const spec = specs.get(type);
      if (!spec || readOnly) return;
      e.preventDefault();
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      let id = '';
      doc.edit((g) => {
        const n = newNode(g, spec, { x: p.x - 110, y: p.y - 30 });
        id = n.id;
        g.nodes.push(n);
      });
      onSelection({ nodes: new Set([id]), edges: new Set() });
    },
    [specs, flow, doc, readOnly, onSelection],
  );

  const canvasRef = useRef<HTMLDivElement>(null);
  const onMoveStart = useCallback(() => {
    canvasRef.current?.classList.add('moving');
    runs.setInteracting(true);
  }, [runs]);
  const onMoveEnd = useCallback(() => {
    canvasRef.current?.classList.remove('moving');
    runs.setInteracting(false);
  }, [runs]);
  // Unmounted mid-pan (no move end): progress redraws must not stay slowed.
  useEffect(() => () => runs.setInteracting(false), [runs]);

  return (
    <div className="canvas" data-testid="canvas" ref={canvasRef}>
      <ReactFlow<WeftFlowNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onNodeDragStop={onNodeDragStop}
        onConnect={onConnect}
        onDragOver={onDragOver}
        onDrop={onDrop}
        onMoveStart={onMoveStart}
        onMoveEnd={onMoveEnd}
        nodesConnectable={!readOnly}
        elementsSelectable
        deleteKeyCode={null}
        multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
        selectionKeyCode="Shift"
        // No fitView prop: it would also fire when the first node lands on an empty canvas and
        // jump it away from where it was dropped. Opening a graph fits explicitly instead.
        minZoom={0.1}
        proOptions={{ hideAttribution: true }}
        colorMode="dark"
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="#2c3344" />
        <MiniMap pannable zoomable style={MINIMAP} nodeColor={(n) => stateColor((n.data as WeftFlowNode['data']).view?.state)} maskColor="rgba(10,12,18,0.7)" />
        <Controls showInteractive={false} />
      </ReactFlow>
      {graph.nodes.length === 0 && !readOnly && (
        <div className="canvas-empty">
          <h2>Start a pipeline</h2>
          <p>Drag a node from the palette on the left, or open a template from the toolbar.</p>
        </div>
      )}
    </div>
  );
}

function stateColor(state: string | undefined): string {
  switch (state) {
    case 'running':
      return '#6ea8ff';
    case 'succeeded':
      return '#4caf7a';
    case 'cached':
      return '#3f8a8f';
    case 'failed':
      return '#e05555';
    case 'skipped':
    case 'cancelled':
      return '#8a7a55';
    default:
      return '#4a5266';
  }
}
