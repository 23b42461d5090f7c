/**
 * The chosen-versus-rejected reward histogram a reward model's run shows, before and after training:
 * one set of bins covering all four distributions, so the shift from before to after reads directly.
 */
export interface RewardSides {
  chosen: ArrayLike<number>;
  rejected: ArrayLike<number>;
}

export interface HistogramRow {
  from: number;
  to: number;
  chosenBefore: number;
  rejectedBefore: number;
  chosenAfter: number;
  rejectedAfter: number;
}

export function rewardHistogram(before: RewardSides, after: RewardSides, bins: number): HistogramRow[] {
  const all = [before.chosen, before.rejected, after.chosen, after.rejected].flatMap((xs) => Array.from(xs));
  if (!all.length) return [];
  let lo = all.reduce((m, x) => Math.min(m, x), Infinity);
  let hi = all.reduce((m, x) => Math.max(m, x), -Infinity);
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const rows: HistogramRow[] = Array.from({ length: bins }, (_, i) => ({ from: lo + i * width, to: lo + (i + 1) * width, chosenBefore: 0, rejectedBefore: 0, chosenAfter: 0, rejectedAfter: 0 }));
  const bin = (x: number) => Math.min(bins - 1, Math.floor((x - lo) / width));
  const count = (xs: ArrayLike<number>, key: Exclude<keyof HistogramRow, 'from' | 'to'>) => {
    for (const x of Array.from(xs)) rows[bin(x)]![key]++;
  };
  count(before.chosen, 'chosenBefore');
  count(before.rejected, 'rejectedBefore');
  count(after.chosen, 'chosenAfter');
  count(after.rejected, 'rejectedAfter');
  return rows;
}

export const HISTOGRAM_COLUMNS = ['from', 'to', 'chosenBefore', 'rejectedBefore', 'chosenAfter', 'rejectedAfter'] as const;

export function histogramCsv(rows: HistogramRow[]): string {
  return [HISTOGRAM_COLUMNS.join(','), ...rows.map((r) => `${r.from.toPrecision(5)},${r.to.toPrecision(5)},${r.chosenBefore},${r.rejectedBefore},${r.chosenAfter},${r.rejectedAfter}`)].join('\n') + '\n';
}
