import { describe, expect, it } from 'vitest';
import { histogramPanels } from './histogram-view.ts';

const table = (columns: string[], rows: Array<Array<string | number>>) => ({ name: 'reward-histogram.csv', columns, rows, totalRows: rows.length });

describe('histogramPanels', () => {
  it('makes a before and an after panel of chosen and rejected counts on the same bins', () => {
    const panels = histogramPanels(table(['from', 'to', 'chosenBefore', 'rejectedBefore', 'chosenAfter', 'rejectedAfter'], [[-1, 0, 3, 4, 0, 6], [0, 1, 2, 1, 5, 0]]))!;
    expect(panels.map((p) => p.title)).toEqual(['before training', 'after training']);
    expect(panels[0]!.x).toEqual([-0.5, 0.5]);
    expect(panels[0]!.binWidth).toBe(1);
    expect(panels[0]!.series).toEqual([{ label: 'chosen', counts: [3, 2] }, { label: 'rejected', counts: [4, 1] }]);
    expect(panels[1]!.series).toEqual([{ label: 'chosen', counts: [0, 5] }, { label: 'rejected', counts: [6, 0] }]);
  });

  it('draws a histogram without phases as one panel, and leaves other tables to be tables', () => {
    const one = histogramPanels(table(['from', 'to', 'chosen', 'rejected'], [[0, 2, 1, 3]]))!;
    expect(one).toHaveLength(1);
    expect(one[0]!.series.map((s) => s.label)).toEqual(['chosen', 'rejected']);
    expect(histogramPanels(table(['step', 'loss'], [[1, 2]]))).toBeNull();
    expect(histogramPanels(table(['from', 'to', 'n'], [[0, 1, 'many']]))).toBeNull();
    expect(histogramPanels(table(['from', 'to', 'n'], []))).toBeNull();
  });
});
