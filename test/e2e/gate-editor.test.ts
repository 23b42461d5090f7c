/**
 * The editor shows a closed gate: the gate says why on its node, each node after it shows its skip
 * reason, and the run reads succeeded (stub node types, a real browser against the web server).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { stubEngine } from '../helpers.ts';
import { connect, dragFromPalette, newPage, servedWithBrowser, shot } from './harness.ts';

const env = servedWithBrowser(async (ws) => (await stubEngine(ws)).engine);
let context: BrowserContext;
let page: Page;

beforeEach(async () => {
  ({ context, page } = await newPage(env.browser()));
  await page.goto(env.served().server.url);
  await page.getByTestId('palette').waitFor();
});

afterEach(async () => {
  await context.close();
});

describe('editor with a gate', () => {
  it('a closed gate shows why on its node, the skipped node shows the reason, and the run succeeds', async () => {
    await dragFromPalette(page, 'stub.gate', 200, 200);
    await dragFromPalette(page, 'stub.append', 550, 200);
    await connect(page, 'gate', 'out', 'append', 'in');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 20_000 }).toBe('succeeded');
    await expect.poll(() => page.getByTestId('badge-append').textContent()).toBe('Skipped');
    expect(await page.getByTestId('skip-reason-append').textContent()).toBe('skipped: gate "gate" closed: loss 3.2 is not <= 3');
    expect(await page.getByTestId('gate-closed-gate').textContent()).toBe('Gate closed: loss 3.2 is not <= 3');
    expect(await page.getByTestId('gate-closed-gate').isVisible()).toBe(true);
    await shot(page, 'gate-01-closed');
  }, 120_000);
});
