/** The chosen-versus-rejected reward histogram a reward model's run shows: shared bins, counts per side, as CSV. */
export function rewardHistogram(chosen: ArrayLike<number>, rejected: ArrayLike<number>, bins: number): Array<{ from: number; to: number; chosen: number; rejected: number }> {
  const all = [...Array.from(chosen), ...Array.from(rejected)];
  if (!all.length) return [];
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const rows = Array.from({ length: bins }, (_, i) => ({ from: lo + i * width, to: lo + (i + 1) * width, chosen: 0, rejected: 0 }));
  const bin = (x: number) => Math.min(bins - 1, Math.floor((x - lo) / width));
  for (const x of Array.from(chosen)) rows[bin(x)]!.chosen++;
  for (const x of Array.from(rejected)) rows[bin(x)]!.rejected++;
  return rows;
}

export function histogramCsv(rows: ReturnType<typeof rewardHistogram>): string {
  return ['from,to,chosen,rejected', ...rows.map((r) => `${r.from.toPrecision(5)},${r.to.toPrecision(5)},${r.chosen},${r.rejected}`)].join('\n') + '\n';
}
