import { describe, expect, it } from 'vitest';
import { applyEvent, metricPanels, newRunView, formatEta, headlineMetrics, labelMetric, runViewFromRecord } from './run-view.ts';

const at = '2026-11-27T00:00:00.000Z';

describe('run view', () => {
  it('folds events into node states, progress, metric curves and logs', () => {
    const view = newRunView('r1');
    applyEvent(view, { type: 'run-state', runId: 'r1', state: 'running', at });
    applyEvent(view, { type: 'node-state', runId: 'r1', nodeId: 'a', state: 'running', at });
    for (let step = 1; step <= 3; step++) applyEvent(view, { type: 'node-progress', runId: 'r1', nodeId: 'a', at, step, total: 3, metrics: { loss: 4 - step }, etaMs: 1000 });
    applyEvent(view, { type: 'node-log', runId: 'r1', nodeId: 'a', at, level: 'info', message: 'hi' });
    applyEvent(view, { type: 'node-state', runId: 'r1', nodeId: 'b', state: 'failed', at, error: 'boom' });
    applyEvent(view, { type: 'node-state', runId: 'other', nodeId: 'a', state: 'failed', at });
    expect(view.state).toBe('running');
    expect(view.nodes.a).toMatchObject({ state: 'running', step: 3, total: 3, metrics: { loss: 1 } });
    expect(view.nodes.a!.series.loss).toEqual({ x: [1, 2, 3], y: [3, 2, 1] });
    expect(view.nodes.a!.logs.map((l) => l.message)).toEqual(['hi']);
    expect(view.nodes.b).toMatchObject({ state: 'failed', error: 'boom' });
  });

  it('keeps why a gate closed and why the nodes after it were skipped, live and from a record', () => {
    const view = newRunView('r1');
    applyEvent(view, { type: 'node-state', runId: 'r1', nodeId: 'g', state: 'succeeded', at, closed: 'perplexity 31.2 is not <= 30' });
    applyEvent(view, { type: 'node-state', runId: 'r1', nodeId: 'd', state: 'skipped', at, error: 'skipped: gate "g" closed: perplexity 31.2 is not <= 30' });
    expect(view.nodes.g).toMatchObject({ state: 'succeeded', closed: 'perplexity 31.2 is not <= 30' });
    expect(view.nodes.d).toMatchObject({ state: 'skipped', error: 'skipped: gate "g" closed: perplexity 31.2 is not <= 30' });
    const fromRecord = newRunView('r1', { state: 'succeeded', nodes: { g: { state: 'succeeded', closed: 'x' }, d: { state: 'skipped', error: 'skipped: gate "g" closed: x' } } });
    expect(fromRecord.nodes.g!.closed).toBe('x');
    expect(fromRecord.nodes.d!.error).toBe('skipped: gate "g" closed: x');
  });

  it('keeps the curve before an interruption when the loop resumes from a checkpoint, and restarts it on a restart', () => {
    const view = newRunView('r1');
    const progress = (step: number, loss: number) => applyEvent(view, { type: 'node-progress', runId: 'r1', nodeId: 't', at, step, total: 10, metrics: { loss } });
    for (let step = 1; step <= 6; step++) progress(step, 10 - step);
    // Killed at step 6, resumed from the checkpoint at step 4: steps 5 and 6 are redone.
    applyEvent(view, { type: 'run-state', runId: 'r1', state: 'interrupted', at });
    for (let step = 5; step <= 7; step++) progress(step, 10 - step);
    expect(view.nodes.t!.series.loss).toEqual({ x: [1, 2, 3, 4, 5, 6, 7], y: [9, 8, 7, 6, 5, 4, 3] });
    // Started again from nothing (no checkpoint): a new curve.
    progress(1, 9.5);
    expect(view.nodes.t!.series.loss).toEqual({ x: [1], y: [9.5] });
  });

  it('says time left in plain words', () => {
    expect(formatEta(4200)).toBe('4s left');
    expect(formatEta(125_000)).toBe('2m 5s left');
  });

  it('labels metrics for people: names, units, the telling ones first', () => {
    expect(labelMetric('model.parameters', 1234567)).toEqual({ key: 'model.parameters', node: 'model', label: 'parameters', value: '1.23 M' });
    expect(labelMetric('eval.exactMatch', 0.25).value).toBe('25.0%');
    expect(labelMetric('stats.distinctWords', 812).label).toBe('distinct words');
    expect(labelMetric('x.someNewMetric', 2.5)).toMatchObject({ label: 'some new metric', value: '2.500' });
    expect(headlineMetrics({ 'model.parameters': 1e6, 'tok.vocabSize': 512, 'train.valLoss': 2.31 }).map((m) => m.label)).toEqual(['validation loss', 'parameters', 'vocabulary']);
  });

  it('shows a finished node full, whatever progress event came last (they are throttled)', () => {
    const view = newRunView('r1');
    applyEvent(view, { type: 'node-state', runId: 'r1', nodeId: 't', state: 'running', at });
    applyEvent(view, { type: 'node-progress', runId: 'r1', nodeId: 't', at, step: 1388, total: 1500, etaMs: 9000 });
    applyEvent(view, { type: 'node-state', runId: 'r1', nodeId: 't', state: 'succeeded', at });
    expect(view.nodes.t).toMatchObject({ step: 1500, total: 1500, etaMs: undefined });
    // A failed or cancelled node keeps where it stopped.
    applyEvent(view, { type: 'node-state', runId: 'r1', nodeId: 'c', state: 'running', at });
    applyEvent(view, { type: 'node-progress', runId: 'r1', nodeId: 'c', at, step: 554, total: 1500 });
    applyEvent(view, { type: 'node-state', runId: 'r1', nodeId: 'c', state: 'cancelled', at });
    expect(view.nodes.c!.step).toBe(554);
    // From a past run's record and event log too.
    const record = { id: 'r1', state: 'succeeded', nodes: { t: { state: 'succeeded', step: 1388, total: 1500 } } } as unknown as Parameters<typeof runViewFromRecord>[0];
    expect(runViewFromRecord(record, [{ type: 'node-progress', runId: 'r1', nodeId: 't', at, step: 1388, total: 1500 }]).nodes.t).toMatchObject({ step: 1500, total: 1500 });
    expect(newRunView('r1', record).nodes.t!.step).toBe(1500);
  });

  it('draws curves as charts and single values as numbers', () => {
    const view = newRunView('r1');
    for (let step = 1; step <= 3; step++) applyEvent(view, { type: 'node-progress', runId: 'r1', nodeId: 'train', at, step, total: 3, metrics: { loss: 4 - step } });
    // One progress event (a short node): one point, not a chart.
    applyEvent(view, { type: 'node-progress', runId: 'r1', nodeId: 'tok', at, step: 1, total: 1, metrics: { vocabSize: 512 } });
    // Final metrics only (no progress): numbers.
    applyEvent(view, { type: 'node-state', runId: 'r1', nodeId: 'eval', state: 'succeeded', at, metrics: { perplexity: 12.5 } });
    const { charts, numbers } = metricPanels(view);
    expect(charts.map((c) => `${c.nodeId}.${c.metric}`)).toEqual(['train.loss']);
    expect(numbers).toEqual([
      { nodeId: 'tok', metric: 'vocabSize', value: 512 },
      { nodeId: 'eval', metric: 'perplexity', value: 12.5 },
    ]);
  });
});
