import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Series } from './run-view.ts';

export interface ChartLine {
  label: string;
  series: Series;
}

const COLORS = ['#6ea8ff', '#f29e4c', '#5ec27a', '#e06c9f', '#b57be0', '#e0d05c'];

function aligned(lines: ChartLine[]): uPlot.AlignedData {
  if (lines.length === 1) return [lines[0]!.series.x, lines[0]!.series.y];
  return uPlot.join(lines.map((l) => [l.series.x, l.series.y] as uPlot.AlignedData));
}

/**
 * A live line chart. uPlot redraws thousands of points in a millisecond or two; data arrays are
 * appended in place by the run view, so a redraw only needs the version to change.
 */
export function MetricChart({ title, lines, version, height = 160 }: { title: string; lines: ChartLine[]; version: number; height?: number }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const key = lines.map((l) => l.label).join('|');

  useEffect(() => {
    const el = host.current!;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: lines.length > 1 },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false } },
      axes: [
        { stroke: '#8b93a7', grid: { stroke: '#2a3040', width: 1 }, ticks: { stroke: '#2a3040' } },
        { stroke: '#8b93a7', grid: { stroke: '#2a3040', width: 1 }, ticks: { stroke: '#2a3040' }, size: 56 },
      ],
      series: [{ label: 'step' }, ...lines.map((l, i) => ({ label: l.label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true, points: { show: (u: uPlot) => (u.data[0]?.length ?? 0) < 40 } }))],
    };
    plot.current = new uPlot(opts, aligned(lines), el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt only when the set of lines changes; new points go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, height]);

  useEffect(() => {
    plot.current?.setData(aligned(lines));
  }, [version, lines]);

  const last = lines[0]?.series.y[lines[0].series.y.length - 1];
  return (
    <figure className="chart" data-testid={`chart-${title}`} data-points={lines.reduce((n, l) => n + l.series.x.length, 0)}>
      <figcaption>
        <span>{title}</span>
        {lines.length === 1 && last !== undefined && <b>{Number.isInteger(last) ? last.toLocaleString('en-US') : last.toPrecision(4)}</b>}
      </figcaption>
      <div ref={host} className="chart-plot" />
    </figure>
  );
}
