/**
 * A reward model's results in the inspector: a tiny real graph (byte-level tokenizer, a small
 * decoder, synthetic arithmetic preference pairs, Reward model) runs through the engine, and the
 * editor, opening that run, draws the held-out rewards of chosen and rejected responses as two
 * histograms, before and after training, on the same bins (uPlot canvases), its numbers folded away.
 */
import { describe, expect, it } from 'vitest';
import { openDefaultHost } from '../../src-main/host/default-host.ts';
import { graphOf } from '../helpers.ts';
import { newPage, servedWithBrowser, shot } from './harness.ts';

const env = servedWithBrowser((ws) => openDefaultHost(ws));

describe('reward model results', () => {
  it('shows the chosen-versus-rejected reward histograms before and after training as a chart', async () => {
    const graph = graphOf(
      [
        { id: 'tok', type: 'tokenizer', params: { kind: 'byte-level', specialTokens: '' } },
        { id: 'model', type: 'model', params: { layers: 1, heads: 2, width: 32, context: 32 } },
        { id: 'prefs', type: 'dataset.preferences', params: { source: 'synthetic', task: 'arithmetic', count: 160, digits: 1, heldOut: 0.25 } },
        { id: 'rm', type: 'train.rm', params: { steps: 40, batchSize: 8, evalEvery: 40, checkpointEvery: 0, histogramBins: 12 } },
      ],
      [
        ['tok', 'tokenizer', 'model', 'tokenizer'],
        ['model', 'model', 'rm', 'model'],
        ['prefs', 'preferences', 'rm', 'preferences'],
      ],
    );
    graph.meta.name = 'Tiny reward model';
    const { runId } = await env.served().engine.startRun({ graph });
    const run = await env.served().engine.waitForRun(runId);
    expect(run.state, JSON.stringify(run.nodes.rm)).toBe('succeeded');
    const pairs = run.nodes.rm!.metrics!.heldOutPairs!;
    expect(pairs).toBeGreaterThan(10);

    const { context, page, consoleErrors } = await newPage(env.browser());
    await page.goto(env.served().server.url);
    await page.getByTestId('tab-history').click();
    await page.getByTestId(`run-${runId}`).getByText('Open').click();
    await page.getByTestId('viewing-banner').waitFor();
    await page.getByTestId('node-rm').click();
    const chart = page.getByTestId('preview-histogram-reward-histogram.csv');
    await chart.waitFor({ timeout: 20_000 });
    await chart.scrollIntoViewIfNeeded();
    // Two panels on the same bins: before training and after, each chosen beside rejected, every held-out pair counted.
    const before = page.getByTestId('histogram-reward-histogram.csv-0');
    const after = page.getByTestId('histogram-reward-histogram.csv-1');
    expect(await before.locator('figcaption').textContent()).toBe(`before trainingchosen ${pairs} · rejected ${pairs}`);
    expect(await after.locator('figcaption').textContent()).toBe(`after trainingchosen ${pairs} · rejected ${pairs}`);
    for (const panel of [before, after]) {
      expect(await panel.locator('canvas').count()).toBe(1);
      expect(Number(await panel.getAttribute('data-bars'))).toBeGreaterThan(1);
      const box = (await panel.locator('canvas').boundingBox())!;
      expect(box.width).toBeGreaterThan(150);
      expect(await panel.locator('.u-legend').textContent()).toMatch(/chosen.*rejected/);
    }
    // The numbers stay one click away, not in the way.
    const numbers = page.getByTestId('preview-table-reward-histogram.csv');
    expect(await numbers.isVisible()).toBe(false);
    await chart.locator('summary').click();
    expect(await numbers.locator('tbody tr').count()).toBe(12);
    await chart.locator('summary').click();
    await shot(page, 'reward-histogram-chart');
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 300_000);
});
