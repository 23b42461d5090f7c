import type { FitViewOptions, ReactFlowInstance } from '@xyflow/react';

type Padding = NonNullable<FitViewOptions['padding']>;

/** The minimap's size on the canvas (bottom right) and the controls' (bottom left), with their margins. */
export const MINIMAP = { width: 168, height: 112 };
const MARGIN = 15;
const CONTROLS_WIDTH = 28;
const EDGE = 24;

interface Size {
  width: number;
  height: number;
}

/**
 * Padding that keeps a fitted graph clear of the minimap and the controls: either a band along the
 * bottom (under both) or a column on the right (and one on the left for the controls), whichever
 * leaves the graph the larger zoom. A wide pipeline loses nothing to a bottom band; a tall one to a column.
 */
export function fitPadding(graph: Size, canvas: Size): Padding {
  const bottom = { top: EDGE, left: EDGE, right: EDGE, bottom: MINIMAP.height + 2 * MARGIN };
  const side = { top: EDGE, left: CONTROLS_WIDTH + 2 * MARGIN, right: MINIMAP.width + 2 * MARGIN, bottom: EDGE };
  const zoom = (p: typeof bottom) => Math.min((canvas.width - p.left - p.right) / Math.max(1, graph.width), (canvas.height - p.top - p.bottom) / Math.max(1, graph.height));
  const p = zoom(bottom) >= zoom(side) ? bottom : side;
  return { top: `${p.top}px`, right: `${p.right}px`, bottom: `${p.bottom}px`, left: `${p.left}px` };
}

/** Fits the whole graph in view, around the minimap and the controls. */
export function fitGraph(flow: ReactFlowInstance, options: { duration?: number } = {}): void {
  const pane = document.querySelector('.react-flow');
  const nodes = flow.getNodes();
  if (!pane || !nodes.length) return void flow.fitView({ padding: 0.2, maxZoom: 1.2, ...options });
  const rect = pane.getBoundingClientRect();
  const bounds = flow.getNodesBounds(nodes);
  void flow.fitView({ padding: fitPadding(bounds, rect), maxZoom: 1.2, ...options });
}
