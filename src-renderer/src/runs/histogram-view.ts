import type { PreviewTable } from '../../../nodes/sdk/artifact-preview.ts';

/** One panel of a histogram chart: bin centres, and the counts of each side (chosen, rejected) in them. */
export interface HistogramPanel {
  title: string;
  /** Bin centres (x), their width (for the bars), and one count series per side. */
  x: number[];
  binWidth: number;
  series: Array<{ label: string; counts: number[] }>;
}

const PHASES = [
  ['Before', 'before training'],
  ['After', 'after training'],
] as const;

/**
 * A table whose first two columns are a bin's bounds (from, to) and whose others are counts is a
 * histogram; count columns ending in Before/After (reward-histogram.csv: chosenBefore, ...) make
 * one panel per phase, so the two read side by side on the same bins. Anything else: null.
 */
export function histogramPanels(table: PreviewTable): HistogramPanel[] | null {
  const [from, to, ...counts] = table.columns;
  if (from !== 'from' || to !== 'to' || !counts.length || !table.rows.length) return null;
  if (!table.rows.every((r) => r.length === table.columns.length && r.every((v) => typeof v === 'number'))) return null;
  const rows = table.rows as number[][];
  const x = rows.map((r) => (r[0]! + r[1]!) / 2);
  const binWidth = rows[0]![1]! - rows[0]![0]!;
  const column = (name: string) => rows.map((r) => r[table.columns.indexOf(name)]!);
  const phased = PHASES.map(([suffix, title]) => ({ title, names: counts.filter((c) => c.endsWith(suffix) && c.length > suffix.length), suffix }));
  if (phased.every((p) => p.names.length)) {
    return phased.map((p) => ({ title: p.title, x, binWidth, series: p.names.map((n) => ({ label: n.slice(0, -p.suffix.length), counts: column(n) })) }));
  }
  return [{ title: table.name, x, binWidth, series: counts.map((n) => ({ label: n, counts: column(n) })) }];
}
