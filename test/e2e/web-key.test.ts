/**
 * Web mode after the key left the cookie (issue 10): in a real browser the editor still loads, runs,
 * picks files and downloads with the key held only by the page; the browser keeps no cookie another
 * local server could receive; a file chosen in Weft's picker is allowed (the user's own action); and
 * a node that succeeded with lost rows shows a warning badge.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDefaultHost } from '../../src-main/host/default-host.ts';
import { examplesDir } from '../../src-main/host/templates.ts';
import { serializeGraph } from '../../nodes/sdk/index.ts';
import { graphOf } from '../helpers.ts';
import { dragFromPalette, newPage, servedWithBrowser, shot } from './harness.ts';
import { Confinement, confinedApi } from '../../src-main/server/confine.ts';
import { ensureRendererBuild } from '../../src-main/server/renderer-build.ts';
import { startWebServer } from '../../src-main/server/server.ts';

const env = servedWithBrowser((ws) => openDefaultHost(ws, { allowedRoots: [examplesDir()] }));

describe('web mode with the key held by the page only', () => {
  it('picks a file, runs, shows the warning badge and downloads, with no cookie set', async () => {
    const data = join(env.served().workspace, 'data');
    mkdirSync(data, { recursive: true });
    const rows = Array.from({ length: 60 }, (_, i) => (i === 9 ? `${i},"broken` : `${i},row ${i}`));
    writeFileSync(join(data, 'sixty.csv'), ['n,text', ...rows, ''].join('\n'));

    const { context, page, consoleErrors } = await newPage(env.browser());
    await page.goto(env.served().server.url);
    await page.getByTestId('palette').waitFor();
    await page.getByLabel('Search nodes').fill('files');
    await dragFromPalette(page, 'dataset.file', 200, 200);
    await page.getByTestId('node-file').click();
    await page.locator('#param-file-onBadRecord').selectOption('skip');
    // Browse… near the data folder, then the user clicks the file and Choose: the host allows it.
    await page.locator('#param-file-file').fill(join(data, 'placeholder.csv'));
    await page.getByTestId('browse-file-file').click();
    await page.getByTestId('picker-sixty.csv').click();
    await page.getByTestId('picker-choose').click();
    await expect.poll(() => page.locator('#param-file-file').inputValue()).toBe(join(data, 'sixty.csv'));

    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 60_000 }).toBe('succeeded');
    const badge = page.getByTestId('warnings-file');
    await expect.poll(() => badge.textContent()).toBe('⚠ 2');
    await page.getByTestId('toast').filter({ hasText: 'Run succeeded with warnings on 1 node' }).waitFor();
    expect(await badge.getAttribute('title')).toContain('sixty.csv:11: unterminated quote in the row starting here; the rest of the file was not read: 51 line(s) left out, counted as skipped');
    await shot(page, 'web-key-01-warning-badge');
    // Run again: the node comes from the cache, and its warnings with it.
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('badge-file').textContent(), { timeout: 60_000 }).toMatch(/cached/i);
    await expect.poll(() => badge.textContent()).toBe('⚠ 2');

    // A download link carries the key itself and works; the browser holds no cookie at all.
    await page.getByTestId('toggle-files').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('node-files-list').locator('a').first().click()]);
    expect(await download.failure()).toBeNull();
    expect(await context.cookies()).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 180_000);

  it('reloading the printed URL (with &graph=) brings unsaved work back instead of replacing it with that graph', async () => {
    const graphs = join(env.served().workspace, 'graphs');
    mkdirSync(graphs, { recursive: true });
    const named = join(graphs, 'two.weft.json');
    writeFileSync(named, serializeGraph(graphOf([{ id: 'a', type: 'text.load', params: { file: 'a.txt' } }, { id: 'b', type: 'text.load', params: { file: 'b.txt' } }])));
    const printed = `${env.served().server.url}&graph=${encodeURIComponent(named)}`;

    const { context, page, consoleErrors } = await newPage(env.browser());
    await page.goto(printed);
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(2);
    // The user starts a new graph and builds on it, unsaved, then reloads the address the command printed.
    await page.getByRole('button', { name: 'New', exact: true }).click();
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(0);
    await page.getByLabel('Search nodes').fill('files');
    await dragFromPalette(page, 'dataset.file', 200, 200);
    await page.waitForTimeout(700); // autosave settles
    await page.goto(printed);
    await page.getByTestId('toast').filter({ hasText: 'two.weft.json was not opened over them' }).waitFor();
    expect(await page.locator('.react-flow__node').count()).toBe(1);
    expect(await page.getByTestId('dirty').count()).toBe(1);
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it('unsaved edits are recovered by the next launch of weft serve (another port, so another browser storage)', async () => {
    const { context, page } = await newPage(env.browser());
    await page.goto(env.served().server.url);
    await page.getByTestId('palette').waitFor();
    await page.getByLabel('Search nodes').fill('files');
    await dragFromPalette(page, 'dataset.file', 200, 200);
    await dragFromPalette(page, 'dataset.file', 200, 400);
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(2);
    await page.waitForTimeout(700); // autosave settles
    // The window crashes, and Weft is started again on the same workspace: a new port, a new origin.
    await page.close({ runBeforeUnload: false });
    await context.close();
    const workspace = env.served().workspace;
    const host = await openDefaultHost(workspace, { allowedRoots: [examplesDir()] });
    const next = await startWebServer({ api: confinedApi(host, new Confinement({ workspace, readRoots: [examplesDir()], files: [] })), rendererDir: await ensureRendererBuild() });
    try {
      expect(next.port).not.toBe(env.served().server.port);
      await new Promise((r) => setTimeout(r, 6500)); // the crashed window's heartbeat goes stale
      const later = await newPage(env.browser());
      await later.page.goto(next.url);
      await later.page.getByTestId('toast').filter({ hasText: 'Recovered unsaved edits' }).waitFor();
      expect(await later.page.locator('.react-flow__node').count()).toBe(2);
      expect(later.consoleErrors).toEqual([]);
      await later.context.close();
    } finally {
      await next.close();
      await host.close();
    }
  }, 120_000);
});
