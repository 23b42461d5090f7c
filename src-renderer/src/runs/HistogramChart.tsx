import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { HistogramPanel } from './histogram-view.ts';

/** Chosen green, rejected red, anything else from the line charts' palette. */
const COLORS: Record<string, string> = { chosen: '#5ec27a', rejected: '#e06c6c' };
const FALLBACK = ['#6ea8ff', '#f29e4c', '#b57be0', '#e0d05c'];
const colorOf = (label: string, i: number) => COLORS[label] ?? FALLBACK[i % FALLBACK.length]!;

/**
 * One histogram panel as uPlot bars (chosen beside rejected in each bin), on a shared y range
 * (yMax) so panels drawn together compare by height.
 */
export function HistogramChart({ panel, yMax, testId, height = 150 }: { panel: HistogramPanel; yMax: number; testId: string; height?: number }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current!;
    const sides = panel.series.length;
    // Two sides: each bar half a bin wide, the first left of the bin's centre, the second right of it.
    const bars = (i: number) => uPlot.paths.bars!({ size: [sides === 2 ? 0.45 : 0.9, Infinity], align: sides === 2 ? (i === 0 ? -1 : 1) : 0 });
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      // The legend names the sides; values under the cursor would only repeat the bars.
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false, range: [panel.x[0]! - panel.binWidth / 2, panel.x[panel.x.length - 1]! + panel.binWidth / 2] }, y: { range: [0, Math.max(1, yMax)] } },
      axes: [
        { stroke: '#8b93a7', grid: { stroke: '#2a3040', width: 1 }, ticks: { stroke: '#2a3040' }, label: 'reward', labelSize: 14 },
        { stroke: '#8b93a7', grid: { stroke: '#2a3040', width: 1 }, ticks: { stroke: '#2a3040' }, size: 40, label: 'pairs', labelSize: 14 },
      ],
      series: [{ label: 'reward' }, ...panel.series.map((s, i) => ({ label: s.label, stroke: colorOf(s.label, i), fill: `${colorOf(s.label, i)}99`, width: 1, paths: bars(i), points: { show: false } }))],
    };
    const plot = new uPlot(opts, [panel.x, ...panel.series.map((s) => s.counts)], el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [panel, yMax, height]);
  const totals = panel.series.map((s) => `${s.label} ${s.counts.reduce((a, b) => a + b, 0)}`).join(' · ');
  return (
    <figure className="chart histogram" data-testid={testId} data-bars={panel.series.reduce((n, s) => n + s.counts.filter((c) => c > 0).length, 0)}>
      <figcaption>
        <span>{panel.title}</span>
        <span>{totals}</span>
      </figcaption>
      <div ref={host} className="chart-plot" />
    </figure>
  );
}
