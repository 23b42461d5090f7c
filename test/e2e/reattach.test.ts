/**
 * Closing the tab mid-run and opening the editor again must lose nothing: the new page shows the
 * running graph on the canvas, its progress advancing, its charts and logs, and Pause and Cancel
 * act on it, as if the tab had never closed. A reload and a second window get the same.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { catalogueOf } from '../../nodes/sdk/index.ts';
import { nodeRegistry } from '../../nodes/index.ts';
import { applyOverrides } from '../../src-main/cli/overrides.ts';
import { openDefaultHost } from '../../src-main/host/default-host.ts';
import { examplesDir } from '../../src-main/host/templates.ts';
import { readGraphFile } from '../../src-main/store/graph-files.ts';
import { newPage, servedWithBrowser, shot } from './harness.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/pretrain-moby-dick.weft.json', import.meta.url));
const env = servedWithBrowser((ws) => openDefaultHost(ws, { allowedRoots: [examplesDir()] }));

/** A tiny GPT pretraining for far more steps than the test lets it run: slow enough to watch and cancel. */
async function writeSlowGraph(workspace: string): Promise<{ path: string; nodeCount: number }> {
  const graph = applyOverrides(
    await readGraphFile(EXAMPLE),
    ['corpus.maxRecords=6', 'split.validation=0.34', 'tokenizer.vocabSize=300', 'model.width=32', 'model.layers=1', 'model.heads=2', 'model.context=16', 'train.steps=1000000', 'train.batchSize=2', 'train.evalEvery=1000000', 'train.evalBatches=1', 'train.checkpointEvery=0'],
    catalogueOf(nodeRegistry),
  );
  graph.meta.name = 'slow pretraining';
  const dir = join(workspace, 'graphs');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'slow.weft.json');
  writeFileSync(path, JSON.stringify(graph, null, 2));
  return { path, nodeCount: graph.nodes.length };
}

/** The step the train node's progress shows ("1234 / 1000000"), or -1 while it shows none. */
async function trainStep(page: Page): Promise<number> {
  const text = await page.getByTestId('progress-train').textContent({ timeout: 2000 }).catch(() => null);
  const m = text ? /([\d,]+)\s*\/\s*[\d,]+/.exec(text) : null;
  return m ? Number(m[1]!.replace(/,/g, '')) : -1;
}

describe('reattaching to a live run', () => {
  it('a new page after closing the tab shows the running graph, live progress, charts and logs, and cancels the run', async () => {
    const { workspace, server } = env.served();
    const { path: graphFile, nodeCount } = await writeSlowGraph(workspace);
    const url = `${server.url}&graph=${encodeURIComponent(graphFile)}`;

    // First tab: open the graph, run it, watch training start, then close the tab mid-run.
    const first = await newPage(env.browser());
    await first.page.goto(url);
    await first.page.getByTestId('node-train').waitFor();
    await first.page.getByTestId('run').click();
    await expect.poll(() => trainStep(first.page), { timeout: 120_000, interval: 250 }).toBeGreaterThan(0);
    await first.context.close();

    // A new page (its own storage: nothing of the first tab's session survives but the server).
    const { context, page, consoleErrors } = await newPage(env.browser());
    await page.goto(url);
    // The running graph is on the canvas, with the run's state and controls.
    await page.getByTestId('node-train').waitFor();
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 15_000 }).toBe('running');
    expect(await page.locator('.react-flow__node').count()).toBe(nodeCount);
    expect(await page.getByTestId('badge-tokenizer').textContent()).toBe('Done');
    await page.getByTestId('cancel').waitFor();
    await page.getByTestId('pause').waitFor();
    expect(await page.getByTestId('viewing-banner').count()).toBe(0);
    // Progress advances on this page: events keep flowing to it.
    const seen = await trainStep(page);
    expect(seen).toBeGreaterThan(0);
    await expect.poll(() => trainStep(page), { timeout: 60_000, interval: 250 }).toBeGreaterThan(seen + 5);
    // The loss chart has the steps from before the page opened, and grows.
    const chart = page.getByTestId('chart-train · loss');
    await chart.waitFor();
    const points = Number(await chart.getAttribute('data-points'));
    expect(points).toBeGreaterThan(1);
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(points);
    // The logs of nodes that ran before the page opened are there too.
    await page.getByTestId('tab-logs').click();
    await page.getByTestId('logs-node-train').click();
    await expect.poll(() => page.getByTestId('log-text').textContent()).toMatch(/training tokens/);
    await shot(page, 'reattach-01-following');

    // Pause and resume act on the run from this page.
    await page.getByTestId('pause').click();
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 30_000 }).toBe('paused');
    // A progress event already on its way may land just after the pause: read the step once settled.
    await page.waitForTimeout(500);
    const pausedAt = await trainStep(page);
    await page.waitForTimeout(1500);
    expect(await trainStep(page)).toBe(pausedAt);
    await page.getByTestId('resume').click();
    await expect.poll(() => trainStep(page), { timeout: 60_000, interval: 250 }).toBeGreaterThan(pausedAt);

    // A reload follows it too, and Cancel from there ends it; the final state shows.
    await page.reload();
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 15_000 }).toBe('running');
    const afterReload = await trainStep(page);
    await expect.poll(() => trainStep(page), { timeout: 60_000, interval: 250 }).toBeGreaterThan(afterReload);
    await page.getByTestId('cancel').click();
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 30_000 }).toBe('cancelled');
    await expect.poll(() => page.getByTestId('badge-train').textContent()).toBe('Cancelled');
    // The record is written a moment after the last event.
    await expect.poll(async () => (await env.served().engine.listRuns())[0]!.state, { timeout: 10_000 }).toBe('cancelled');
    await expect.poll(() => env.served().engine.listActiveRuns(), { timeout: 10_000 }).toEqual([]);
    await shot(page, 'reattach-02-cancelled');
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 300_000);

  it('History opens a run under way live when the editor has left it (New), and cancels it from there', async () => {
    const { workspace, server, engine } = env.served();
    const { path: graphFile } = await writeSlowGraph(workspace);
    const graph = await readGraphFile(graphFile);
    // Started elsewhere (another window, the API): this page never saw it start.
    const { runId } = await engine.startRun({ graph, graphDir: join(workspace, 'graphs'), graphFile });

    const { context, page, consoleErrors } = await newPage(env.browser());
    await page.goto(server.url);
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 30_000 }).toBe('running');
    await page.getByTestId('node-train').waitFor();
    expect(await page.getByTestId('file-name').textContent()).toContain('slow.weft.json');

    // New leaves the run: an empty canvas, nothing live.
    await page.getByRole('button', { name: 'New', exact: true }).click();
    await expect.poll(() => page.getByTestId('run-state').textContent()).toBe('ready');
    expect(await page.locator('.react-flow__node').count()).toBe(0);

    // History lists it as running; Open shows it live, still advancing, with its controls.
    await page.getByTestId('tab-history').click();
    const row = page.getByTestId(`run-${runId}`);
    expect(await row.locator('.badge').textContent()).toBe('running');
    await row.getByRole('button', { name: 'Open' }).click();
    await page.getByTestId('viewing-banner').waitFor();
    await expect.poll(() => trainStep(page), { timeout: 120_000, interval: 250 }).toBeGreaterThan(0);
    const seen = await trainStep(page);
    await expect.poll(() => trainStep(page), { timeout: 60_000, interval: 250 }).toBeGreaterThan(seen);
    await page.getByTestId('cancel').click();
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 30_000 }).toBe('cancelled');
    await expect.poll(async () => (await engine.getRun(runId)).state, { timeout: 10_000 }).toBe('cancelled');
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 300_000);

  it('a run another process drives (`weft run` in a terminal) opens from History and goes on to its end, not frozen', async () => {
    const { workspace, server } = env.served();
    const { path: graphFile } = await writeSlowGraph(workspace);
    const before = new Set(existsSync(join(workspace, 'runs')) ? readdirSync(join(workspace, 'runs')) : []);
    const weft = fileURLToPath(new URL('../../bin/weft.js', import.meta.url));
    const cli = spawn(process.execPath, [weft, 'run', graphFile, '--workspace', workspace], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => cli.once('exit', () => resolve()));
    try {
      const newRun = () => (existsSync(join(workspace, 'runs')) ? readdirSync(join(workspace, 'runs')).find((r) => !before.has(r)) : undefined);
      // A first start of the CLI may build it (bin/cli-build.js): give it time.
      await expect.poll(newRun, { timeout: 180_000 }).toBeTruthy();
      const runId = newRun()!;
      const { context, page, consoleErrors } = await newPage(env.browser());
      await page.goto(server.url);
      await page.getByTestId('palette').waitFor();
      // Not this server's run: nothing to follow live here.
      expect(await page.getByTestId('run-state').textContent()).toBe('ready');
      await page.getByTestId('tab-history').click();
      await expect.poll(() => page.getByTestId(`run-${runId}`).count(), { timeout: 30_000 }).toBe(1);
      // Opened once training streams; its progress then goes on from the log.
      await expect.poll(async () => (await env.served().engine.getRunEvents(runId)).some((e) => e.type === 'node-progress' && e.nodeId === 'train'), { timeout: 120_000 }).toBe(true);
      await page.getByTestId(`run-${runId}`).getByRole('button', { name: 'Open' }).click();
      await page.getByTestId('viewing-banner').waitFor();
      const seen = await trainStep(page);
      await expect.poll(() => trainStep(page), { timeout: 60_000, interval: 250 }).toBeGreaterThan(seen);
      // The terminal's run ends (Ctrl-C): the page shows the end.
      cli.kill('SIGINT');
      await exited;
      await expect.poll(() => page.getByTestId('shown-run').textContent(), { timeout: 30_000 }).toMatch(/cancelled|interrupted/);
      expect(consoleErrors).toEqual([]);
      await context.close();
    } finally {
      cli.kill('SIGKILL');
    }
  }, 300_000);
});
