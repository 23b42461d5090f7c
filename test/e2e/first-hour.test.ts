/**
 * What a new user met in their first hour, in a real browser against the web server with Weft's real
 * nodes: the Open dialog browses folders, the minimap hides no node of a large template, History
 * shows labelled metrics, and the playground marks an untrained model, fits its token limit to the
 * context, and shows the start of a prompt it had to cut.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openDefaultHost } from '../../src-main/host/default-host.ts';
import { examplesDir } from '../../src-main/host/templates.ts';
import { graphOf } from '../helpers.ts';
import { newPage, servedWithBrowser, shot } from './harness.ts';

const env = servedWithBrowser((ws) => openDefaultHost(ws, { allowedRoots: [examplesDir()] }));

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The nodes whose box meets the minimap's or the controls'. */
async function nodesUnderOverlays(page: Page): Promise<string[]> {
  const overlays = [(await page.locator('.react-flow__minimap').boundingBox())!, (await page.locator('.react-flow__controls').boundingBox())!];
  const hidden: string[] = [];
  for (const node of await page.locator('.react-flow__node').all()) {
    const box = (await node.boundingBox())!;
    if (overlays.some((o) => overlaps(box, o))) hidden.push((await node.getAttribute('data-id')) ?? '?');
  }
  return hidden;
}

describe('the first hour', () => {
  it('Open browses folders like the file picker, starting in the workspace', async () => {
    const graph = graphOf([{ id: 'load', type: 'text.load', params: {} }], []);
    graph.meta.name = 'Kept for later';
    mkdirSync(join(env.served().workspace, 'graphs', 'old'), { recursive: true });
    writeFileSync(join(env.served().workspace, 'graphs', 'old', 'kept.weft.json'), JSON.stringify(graph));
    writeFileSync(join(env.served().workspace, 'graphs', 'old', 'notes.txt'), 'not a graph');

    const { context, page, consoleErrors } = await newPage(env.browser());
    await page.goto(env.served().server.url);
    await page.getByTestId('open').click();
    const browser = page.getByTestId('file-picker');
    await browser.waitFor();
    await expect.poll(() => page.getByTestId('picker-path-input').inputValue()).toContain(env.served().workspace.split('/').pop());
    await page.getByTestId('picker-graphs').click();
    await page.getByTestId('picker-old').click();
    // Only graph files are offered; other files are left out.
    await page.getByTestId('picker-kept.weft.json').click();
    expect(await page.getByTestId('picker-notes.txt').count()).toBe(0);
    await shot(page, 'first-01-open-dialog-browses');
    await page.getByTestId('picker-choose').click();
    await expect.poll(() => page.getByTestId('file-name').textContent()).toBe('kept.weft.json');
    expect(await page.locator('.react-flow__node').count()).toBe(1);
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it('the minimap hides no node of the larger templates', async () => {
    const { context, page, consoleErrors } = await newPage(env.browser());
    await page.goto(env.served().server.url);
    for (const [name, title, count] of [
      ['chat-sft', 'Chat fine-tuning on a synthetic task', 12],
      ['classify-spam', 'Classify spam', 9],
    ] as const) {
      await page.getByTestId('templates-button').click();
      await page.getByTestId('templates').getByText(title, { exact: true }).click();
      await expect.poll(() => page.locator('.react-flow__node').count()).toBe(count);
      await page.waitForTimeout(400); // the fit settles
      expect(await nodesUnderOverlays(page)).toEqual([]);
      await shot(page, `first-02-template-${name}-clear-of-minimap`);
      // Fit view (the F key) and Tidy keep it clear too.
      await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('l');
      await page.waitForTimeout(500);
      expect(await nodesUnderOverlays(page)).toEqual([]);
    }
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it('History labels metrics; the playground marks an untrained model, fits max tokens, and shows what was cut', async () => {
    // A Model node's fresh initialisation with a context of 32 tokens: untrained, and small.
    const graph = graphOf(
      [
        { id: 'tok', type: 'tokenizer', params: { kind: 'byte-level', specialTokens: '' } },
        { id: 'model', type: 'model', params: { layers: 1, heads: 2, width: 32, context: 32 } },
      ],
      [['tok', 'tokenizer', 'model', 'tokenizer']],
    );
    graph.meta.name = 'Tiny context';
    const { runId } = await env.served().engine.startRun({ graph });
    expect((await env.served().engine.waitForRun(runId)).state).toBe('succeeded');

    const { context, page, consoleErrors } = await newPage(env.browser());
    await page.goto(env.served().server.url);
    await page.getByTestId('tab-history').click();
    const metrics = page.getByTestId(`run-${runId}`).getByTestId('history-metrics');
    await metrics.waitFor();
    const text = (await metrics.textContent())!;
    expect(text).toMatch(/parameters\s*[\d.]+ (k|M)?/);
    expect(text).not.toContain('model.parameters');
    await shot(page, 'first-03-history-labelled-metrics');

    await page.getByTestId(`run-${runId}`).getByText('Open').click();
    await page.getByTestId('node-model').click();
    await page.getByTestId('open-playground').click();
    await page.getByTestId('playground').waitFor();
    // Marked untrained, in the list and beside it; max tokens fits the context (half of 32).
    await page.getByTestId('pg-untrained').waitFor();
    expect(await page.getByTestId('pg-model').locator('option:checked').textContent()).toContain('(untrained)');
    expect(await page.getByTestId('pg-model').locator('optgroup').first().getAttribute('label')).toMatch(/^Untrained/);
    expect(await page.getByTestId('pg-max-tokens').inputValue()).toBe('16');

    // A prompt longer than the context leaves: the start that did not fit is shown, struck out.
    const prompt = 'Call me Ishmael. Some years ago, never mind how long.';
    await page.getByTestId('pg-prompt').fill(prompt);
    await page.getByTestId('pg-generate').click();
    await page.getByTestId('pg-stats').waitFor({ timeout: 30_000 });
    const stats = (await page.getByTestId('pg-stats').textContent())!;
    const dropped = Number(/the first (\d+) prompt tokens did not fit/.exec(stats)?.[1]);
    expect(dropped).toBeGreaterThan(0);
    const cut = (await page.getByTestId('pg-dropped-prompt').textContent())!;
    const seen = (await page.getByTestId('pg-seen-prompt').textContent())!;
    expect(cut.length).toBe(dropped); // one byte-level token per ASCII character
    expect(cut + seen).toBe(prompt);
    expect(await page.getByTestId('pg-dropped-prompt').isVisible()).toBe(true);
    await shot(page, 'first-04-playground-untrained-and-cut-prompt');
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 120_000);
});
