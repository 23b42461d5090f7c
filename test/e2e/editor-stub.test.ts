/**
 * The editor in a real browser against the web server, with the stub node types so runs are
 * quick and deterministic: progress and charts, cancel, failures, refused connections, undo.
 */
import { beforeEach, afterEach, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { readTrace, stubEngine } from '../helpers.ts';
import { connect, dragFromPalette, newPage, servedWithBrowser, shot } from './harness.ts';

const env = servedWithBrowser(async (ws) => (await stubEngine(ws)).engine);
let context: BrowserContext;
let page: Page;
let consoleErrors: string[];

beforeEach(async () => {
  ({ context, page, consoleErrors } = await newPage(env.browser()));
  await page.goto(env.served().server.url);
  await page.getByTestId('palette').waitFor().catch(async (e) => {
    throw new Error(`${(e as Error).message}\n${await page.content()}\n${consoleErrors.join('\n')}`);
  });
});

afterEach(async () => {
  await context.close();
});

async function setParam(nodeId: string, name: string, value: string) {
  await page.getByTestId(`node-${nodeId}`).click();
  await page.locator(`#param-${nodeId}-${name}`).fill(value);
}

describe('editor with stub nodes', () => {
  it('runs a heavy node with a moving progress bar, a growing live chart, and success', async () => {
    await dragFromPalette(page, 'stub.heavy', 300, 200);
    await setParam('heavy', 'steps', '40');
    await setParam('heavy', 'stepMs', '100');
    await page.getByTestId('run').click();
    const progress = page.getByTestId('progress-heavy');
    await progress.waitFor();
    await expect.poll(async () => (await progress.textContent()) ?? '', { timeout: 10_000 }).toMatch(/\d+ \/ 40/);
    const chart = page.getByTestId('chart-heavy · value');
    await chart.waitFor();
    const early = Number(await chart.getAttribute('data-points'));
    await shot(page, 'stub-01-running-progress-and-chart');
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThan(early);
    await expect.poll(() => page.getByTestId('badge-heavy').textContent(), { timeout: 15_000 }).toBe('Done');
    expect(await page.getByTestId('run-state').textContent()).toBe('succeeded');
    await shot(page, 'stub-02-succeeded');
    expect(consoleErrors).toEqual([]);
  }, 120_000);

  it('cancel stops a running node', async () => {
    await dragFromPalette(page, 'stub.heavy', 300, 200);
    await setParam('heavy', 'steps', '2000');
    await setParam('heavy', 'stepMs', '50');
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('badge-heavy').textContent(), { timeout: 15_000 }).toBe('Running');
    await page.getByTestId('cancel').click();
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 10_000 }).toBe('cancelled');
    expect(await page.getByTestId('badge-heavy').textContent()).toBe('Cancelled');
    // The run record agrees once the engine has finished writing it.
    const runs = await env.served().engine.listRuns();
    expect((await env.served().engine.waitForRun(runs[0]!.id)).state).toBe('cancelled');
    // The worker really stopped: the node started but never reached its end.
    const trace = readTrace(env.served().workspace).filter((t) => t.nodeId === 'heavy');
    expect(trace.at(-1)?.what).toBe('start');
    await shot(page, 'stub-03-cancelled');
  }, 120_000);

  it('pause holds a running node between steps and resume continues it', async () => {
    await dragFromPalette(page, 'stub.heavy', 300, 200);
    await setParam('heavy', 'steps', '400');
    await setParam('heavy', 'stepMs', '20');
    await page.getByTestId('run').click();
    // Pause once the loop is stepping (a pause sent while the worker is still starting is not
    // seen by the node until its first steps: reported to the engine's owner).
    await expect.poll(() => page.getByTestId('progress-heavy').textContent(), { timeout: 15_000 }).toMatch(/[1-9]\d* \/ 400/);
    await page.getByTestId('pause').click();
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 10_000 }).toBe('paused');
    const progress = page.getByTestId('progress-heavy');
    await page.waitForTimeout(500); // progress sent just before the pause may still arrive
    const held = await progress.textContent();
    await page.waitForTimeout(800);
    expect(await progress.textContent()).toBe(held); // no steps while paused
    await shot(page, 'stub-07-paused');
    await page.getByTestId('resume').click();
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 20_000 }).toBe('succeeded');
  }, 120_000);

  it('copies nodes in one window and pastes them in another', async () => {
    await dragFromPalette(page, 'stub.source', 200, 200);
    await dragFromPalette(page, 'stub.append', 550, 200);
    await connect(page, 'source', 'out', 'append', 'in');
    await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Control+c');
    const other = await context.newPage();
    await other.goto(env.served().server.url);
    await other.getByTestId('palette').waitFor();
    await other.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
    await other.keyboard.press('Control+v');
    await expect.poll(() => other.locator('.react-flow__node').count()).toBe(2);
    expect(await other.locator('.react-flow__edge').count()).toBe(1);
  }, 120_000);

  it('a failing node shows its error on the node, and downstream nodes are skipped', async () => {
    await dragFromPalette(page, 'stub.fail', 200, 200);
    await dragFromPalette(page, 'stub.append', 550, 200);
    await setParam('fail', 'message', 'the tokenizer file is corrupt');
    await connect(page, 'fail', 'out', 'append', 'in');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 15_000 }).toBe('failed');
    await expect.poll(() => page.getByTestId('error-fail').textContent()).toContain('the tokenizer file is corrupt');
    expect(await page.getByTestId('badge-append').textContent()).toBe('Skipped');
    await shot(page, 'stub-04-failed-node-error');

    // Later: open the failed run from history. The recorded snapshot shows, read-only, with the
    // error on the node and in its log, even after the editor's graph has changed.
    await page.getByTestId('node-append').click();
    await page.keyboard.press('Delete');
    const failed = (await env.served().engine.listRuns())[0]!;
    await env.served().engine.waitForRun(failed.id);
    await page.getByTestId('tab-history').click();
    await page.getByTestId(`run-${failed.id}`).getByText('Open').click();
    await page.getByTestId('viewing-banner').waitFor();
    expect(await page.locator('.react-flow__node').count()).toBe(2);
    expect(await page.getByTestId('error-fail').textContent()).toContain('the tokenizer file is corrupt');
    await page.getByTestId('tab-logs').click();
    await page.getByTestId('logs-node-fail').click();
    expect(await page.getByTestId('log-text').textContent()).toContain('FAILED: the tokenizer file is corrupt');
    // The plain message comes first; the stack trace is folded under its first line.
    expect(await page.getByTestId('log-text').locator(':scope > *').first().getAttribute('data-testid')).toBe('log-failed');
    const folded = page.getByTestId('log-folded');
    expect(await folded.count()).toBeGreaterThan(0);
    expect(await folded.first().locator('summary').textContent()).toMatch(/the tokenizer file is corrupt.*\(stack trace, \d+ lines?\)/);
    expect(await folded.first().locator('pre').isVisible()).toBe(false);
    await shot(page, 'stub-04b-past-run-opened');
    await folded.first().locator('summary').click();
    expect(await folded.first().locator('pre').isVisible()).toBe(true);
    await page.getByText('Back to editor').click();
    expect(await page.locator('.react-flow__node').count()).toBe(1);
  }, 120_000);

  it('error toasts leave once they no longer apply: a run that succeeds clears them', async () => {
    // A refused run (an input is missing), then a failed one: each says why in a toast.
    await dragFromPalette(page, 'stub.append', 550, 200);
    await page.getByTestId('run').click();
    await page.getByTestId('toast').filter({ hasText: "Can't run yet" }).waitFor();
    await dragFromPalette(page, 'stub.fail', 200, 200);
    await setParam('fail', 'message', 'the tokenizer file is corrupt');
    await connect(page, 'fail', 'out', 'append', 'in');
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 15_000 }).toBe('failed');
    await page.getByTestId('toast').filter({ hasText: 'Run failed' }).waitFor();
    // "Run failed" took the place of "Can't run yet": one toast per topic.
    expect(await page.getByTestId('toast').filter({ hasText: "Can't run yet" }).count()).toBe(0);
    await shot(page, 'stub-05a-error-toast');
    // Replace the failing node with a working one and run again: only "Run succeeded" is left.
    await page.getByTestId('node-fail').click();
    await page.keyboard.press('Delete');
    await dragFromPalette(page, 'stub.source', 200, 200);
    await connect(page, 'source', 'out', 'append', 'in');
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 15_000 }).toBe('succeeded');
    await page.getByTestId('toast').filter({ hasText: 'Run succeeded' }).waitFor();
    expect(await page.locator('[data-testid="toast"][data-kind="error"]').count()).toBe(0);
    await shot(page, 'stub-05b-success-without-stale-errors');
  }, 120_000);

  it('refuses an incompatible connection and says why', async () => {
    await dragFromPalette(page, 'stub.heavy', 200, 200);
    await dragFromPalette(page, 'stub.append', 550, 200);
    await connect(page, 'heavy', 'metrics', 'append', 'in', async () => {
      // Mid-drag, the Text inputs a Metrics output cannot feed are dimmed.
      expect(await page.getByTestId('node-append').locator('.port-in.port-cannot').count()).toBe(2);
      await shot(page, 'stub-05a-dragging-incompatible');
    });
    await expect(page.getByTestId('toast').filter({ hasText: "Can't connect Metrics to Text" }).waitFor()).resolves.toBeUndefined();
    expect(await page.locator('.react-flow__edge').count()).toBe(0);
    await shot(page, 'stub-05-incompatible-connection');
  }, 120_000);

  it('a second edge into an input replaces the first', async () => {
    await dragFromPalette(page, 'stub.source', 150, 120);
    await dragFromPalette(page, 'stub.source', 150, 330);
    await dragFromPalette(page, 'stub.append', 550, 200);
    await connect(page, 'source', 'out', 'append', 'in');
    await connect(page, 'source_2', 'out', 'append', 'in');
    await page.getByTestId('toast').filter({ hasText: 'Replaced the earlier connection' }).waitFor();
    expect(await page.locator('.react-flow__edge').count()).toBe(1);
    expect(await page.locator('.react-flow__edge').getAttribute('data-id')).toContain('source_2');
    // Edges are selectable and deletable like nodes, and undo brings them back.
    await page.locator('.react-flow__edge').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(0);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
  }, 120_000);

  it('shows invalid param input inline without applying it, and graph problems on the node', async () => {
    await dragFromPalette(page, 'stub.append', 400, 200);
    // An unconnected required input is a validation error shown on the node's port.
    await expect.poll(() => page.getByTestId('problems').textContent(), { timeout: 5000 }).toMatch(/1 problem/);
    await expect.poll(() => page.getByTestId('node-append').locator('.port-error').count()).toBe(1);
    await setParam('append', 'steps', '-3');
    await expect(page.getByTestId('param-append-steps').getByRole('alert').textContent()).resolves.toMatch(/at least 0.*not applied/);
    await shot(page, 'stub-06-inline-validation');
  }, 120_000);

  it('delete, undo and redo with the keyboard; duplicate with Ctrl+D; multi-select', async () => {
    await dragFromPalette(page, 'stub.source', 300, 200);
    await page.getByTestId('node-source').click();
    await page.keyboard.press('Control+d');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(2);
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(1);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(2);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(1);
    expect(await page.getByTestId('dirty').count()).toBe(1);
    // Multi-select with Shift+click, then delete both as one undoable step.
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(2);
    await page.getByTestId('node-source').click();
    await page.getByTestId('node-source_2').click({ modifiers: ['Shift'] });
    await expect.poll(() => page.locator('.react-flow__node.selected').count()).toBe(2);
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(0);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(2);
    // Search and Enter add a node without the mouse; ? lists the shortcuts.
    await page.getByLabel('Search nodes').fill('fail');
    await page.getByLabel('Search nodes').press('Enter');
    await expect.poll(() => page.getByTestId('node-fail').count()).toBe(1);
    await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await shot(page, 'stub-08-shortcuts');
    await page.keyboard.press('Escape');
    expect(await page.getByRole('dialog').count()).toBe(0);
  }, 120_000);
});
