/** Small text formatters for terminal output. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function formatNumber(v: number): string {
  // Grouped by hand: the first toLocaleString of a process loads ICU's number formats (about 30 ms,
  // a tenth of a cached `weft run`).
  if (Number.isInteger(v)) return Math.abs(v) >= 10000 ? BigInt(v).toString().replace(/\B(?=(\d{3})+$)/g, ',') : String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.001 || a >= 1e6)) return v.toExponential(3);
  return v.toPrecision(4).replace(/\.?0+$/, '');
}

export function formatMetrics(metrics: Record<string, number> | undefined, max = 4): string {
  if (!metrics) return '';
  return Object.entries(metrics)
    .slice(0, max)
    .map(([k, v]) => `${k}=${formatNumber(v)}`)
    .join(' ');
}

export function bar(fraction: number, width = 20): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return '[' + '#'.repeat(filled) + '-'.repeat(width - filled) + ']';
}

export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}
