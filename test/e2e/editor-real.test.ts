/**
 * A new user's first session, in a real browser against the web server with Weft's real text
 * nodes: build a pipeline from an empty canvas, run it, save it, come back, reopen it, replay.
 * Also: the server refuses pages from other origins and requests without the key.
 */
import { unzipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDefaultHost } from '../../src-main/host/default-host.ts';
import { examplesDir } from '../../src-main/host/templates.ts';
import { graphOf } from '../helpers.ts';
import { connect, dragFromPalette, newPage, servedWithBrowser, shot } from './harness.ts';

const DATA = fileURLToPath(new URL('../../examples/data/moby-dick-opening.txt', import.meta.url));

// The example data lives outside the test workspace; the real `weft serve` allows it the same way.
const env = servedWithBrowser((ws) => openDefaultHost(ws, { allowedRoots: [examplesDir()] }));

describe('a first session with real nodes', () => {
  it('builds, runs, saves, reopens from recent files after a reload, and replays a pipeline', async () => {
    const { context, page, consoleErrors } = await newPage(env.browser());
    await page.goto(env.served().server.url);
    await page.getByTestId('palette').waitFor();
    await shot(page, 'real-01-empty-canvas');

    // Search narrows the palette; drag three nodes onto the canvas.
    await page.getByLabel('Search nodes').fill('text');
    await dragFromPalette(page, 'text.load', 120, 150);
    await dragFromPalette(page, 'text.clean', 420, 150);
    await dragFromPalette(page, 'text.stats', 720, 150);
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3);
    await connect(page, 'load', 'text', 'clean', 'text');
    await connect(page, 'clean', 'text', 'stats', 'text');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);
    await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('l'); // tidy layout: columns follow the flow
    await page.waitForTimeout(400);

    // The load node needs its file: the inspector shows the problem until it is set.
    await page.getByTestId('node-load').click();
    await expect.poll(() => page.getByTestId('param-load-file').getByRole('alert').count()).toBe(1);
    // Browse… opens Weft's own picker (no native dialogs in a browser); it starts at home and offers the examples.
    await page.getByTestId('browse-load-file').click();
    await page.getByTestId('file-picker').waitFor();
    await page.getByTestId('file-picker').getByRole('button', { name: 'Examples', exact: true }).click();
    await page.getByTestId('picker-data').click();
    await page.getByTestId('picker-moby-dick-opening.txt').click();
    await shot(page, 'real-02a-file-picker');
    await page.getByTestId('picker-choose').click();
    // The choice lands after the picker's reply: wait for it rather than read at once.
    await expect.poll(() => page.locator('#param-load-file').inputValue()).toBe(DATA);
    await page.getByTestId('node-stats').click();
    await page.locator('#param-stats-topWords').fill('25');
    await expect.poll(() => page.getByTestId('problems').textContent(), { timeout: 5000 }).toBe('No problems');
    await shot(page, 'real-02-built-pipeline');

    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 30_000 }).toBe('succeeded');
    for (const id of ['load', 'clean', 'stats']) expect(await page.getByTestId(`badge-${id}`).textContent()).toBe('Done');
    // The stats node streamed word counts: a curve when it reported twice or more, else the figure as
    // a number (never a one-point chart); its final figures on the node.
    const chart = page.getByTestId('chart-stats · words');
    const number = page.getByTestId('number-stats.words');
    await chart.or(number).first().waitFor();
    if (await chart.count()) expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(1);
    else expect(await number.textContent()).toMatch(/words\s*[\d,]+/);
    expect(await page.getByTestId('node-stats').textContent()).toMatch(/words\s*[\d,]+/);
    // The selected stats node shows what it produced, and where.
    await expect.poll(() => page.getByTestId('outputs').textContent(), { timeout: 5000 }).toMatch(/metrics: chars [\d,]+ · words [\d,]+/);
    // ...and a preview of its table: the 20 most frequent of the 25 words it kept.
    const topWords = page.getByTestId('preview-table-top-words.csv');
    await topWords.waitFor({ timeout: 5000 });
    expect(await topWords.locator('th').allTextContents()).toEqual(['word', 'count', 'share']);
    expect(await topWords.locator('tbody tr').count()).toBe(20);
    expect(await topWords.textContent()).toContain('first 20 of 25 rows');
    await shot(page, 'real-03-run-succeeded');
    // Its files, each a download link; the download is the file on disk, byte for byte.
    await page.getByTestId('toggle-files').click();
    const link = page.getByTestId('node-files-list').getByRole('link', { name: 'top-words.csv' });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const statsDir = (await env.served().engine.getRun((await env.served().engine.listRuns())[0]!.id)).nodes.stats!.artifactDir!;
    expect(readFileSync(await download.path())).toEqual(readFileSync(join(statsDir, 'top-words.csv')));
    // The whole folder as one .zip, each file the same bytes as on disk.
    const [zipped] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-zip').click()]);
    expect(zipped.suggestedFilename()).toMatch(/^stats-.*\.zip$/);
    const unpacked = unzipSync(new Uint8Array(readFileSync(await zipped.path())));
    const inZip = Object.entries(unpacked).find(([name]) => name.endsWith('/top-words.csv'));
    expect(Buffer.from(inZip![1]).equals(readFileSync(join(statsDir, 'top-words.csv')))).toBe(true);

    // Save (Ctrl+S on a new graph asks for a name).
    await page.keyboard.press('Control+s');
    await page.getByLabel('Save path').fill('graphs/moby-words');
    await page.getByLabel('Save path').press('Enter');
    await expect.poll(() => page.getByTestId('file-name').textContent()).toBe('moby-words.weft.json');
    expect(await page.getByTestId('dirty').count()).toBe(0);

    // Come back later: reload, start a new graph, reopen from recent files.
    await page.reload();
    await page.getByTestId('palette').waitFor();
    await page.getByTestId('open').click();
    await page.getByTestId('recent-files').getByRole('button').filter({ hasText: 'moby-words.weft.json' }).click();
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3);
    expect(await page.getByTestId('file-name').textContent()).toBe('moby-words.weft.json');

    // History shows the run; replay it and see the replay succeed.
    await page.getByTestId('tab-history').click();
    const firstRun = (await env.served().engine.listRuns())[0]!;
    await page.getByTestId(`run-${firstRun.id}`).getByText('Replay').click();
    await page.getByTestId('viewing-banner').waitFor();
    await expect.poll(async () => (await env.served().engine.listRuns()).length, { timeout: 10_000 }).toBe(2);
    const replay = (await env.served().engine.listRuns()).find((r) => r.replayOf === firstRun.id)!;
    await env.served().engine.waitForRun(replay.id);
    await expect.poll(() => page.getByTestId('shown-run').textContent(), { timeout: 10_000 }).toContain('succeeded');
    expect((await env.served().engine.getRun(replay.id)).nodes.stats!.metrics).toEqual((await env.served().engine.getRun(firstRun.id)).nodes.stats!.metrics);
    await page.getByTestId('tab-history').click();
    await page.getByTestId(`run-${replay.id}`).waitFor();
    await shot(page, 'real-04-history-after-replay');

    // Compare the two runs side by side.
    await page.getByLabel(`compare ${firstRun.id}`).check();
    await page.getByLabel(`compare ${replay.id}`).check();
    await page.getByTestId('tab-compare').click();
    await page.getByTestId('compare').waitFor();
    expect(await page.getByTestId('compare').textContent()).toContain('stats.topWords');
    await shot(page, 'real-05-compare');
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it('opens a template from the gallery; unsaved edits survive a reload and a crashed window (autosave)', async () => {
    const { context, page } = await newPage(env.browser());
    await page.goto(env.served().server.url);
    await page.getByTestId('templates-button').click();
    await page.getByTestId('templates').getByText('Word statistics of Moby-Dick').click();
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(4);
    await page.getByTestId('node-clean').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3);
    await page.waitForTimeout(700); // autosave settles
    await page.reload();
    await page.getByTestId('toast').filter({ hasText: 'Recovered unsaved edits' }).waitFor();
    expect(await page.locator('.react-flow__node').count()).toBe(3);
    expect(await page.getByTestId('dirty').count()).toBe(1);
    await shot(page, 'real-06-recovered-after-reload');
    // A crash: the window disappears without saving. A window opened later recovers the edits
    // (once the dead window's heartbeat is stale); a window open at the same time would not.
    await page.close({ runBeforeUnload: false });
    await new Promise((r) => setTimeout(r, 6500));
    const later = await context.newPage();
    await later.goto(env.served().server.url);
    await later.getByTestId('toast').filter({ hasText: 'Recovered unsaved edits' }).waitFor();
    expect(await later.locator('.react-flow__node').count()).toBe(3);
    await context.close();
  }, 120_000);
});

describe('the playground', () => {
  it('opens a model from its node, streams a completion, chats, and stops an answer midway', async () => {
    // A small untrained decoder with a long context: its text is noise, but it streams like any model.
    const graph = graphOf(
      [
        { id: 'tok', type: 'tokenizer', params: { kind: 'byte-level', specialTokens: '' } },
        { id: 'model', type: 'model', params: { layers: 1, heads: 2, width: 32, context: 1024 } },
      ],
      [['tok', 'tokenizer', 'model', 'tokenizer']],
    );
    graph.meta.name = 'Tiny model';
    const { runId } = await env.served().engine.startRun({ graph });
    expect((await env.served().engine.waitForRun(runId)).state).toBe('succeeded');

    const { context, page, consoleErrors } = await newPage(env.browser());
    await page.goto(env.served().server.url);
    // The Hardware panel (inspector, nothing selected) says what this machine trains on.
    await page.getByTestId('hardware-probe').click();
    expect(await page.getByTestId('hardware-auto').textContent({ timeout: 60_000 })).toMatch(/wasm|cpu|tensorflow|webgpu/);
    await page.getByTestId('tab-history').click();
    // Which device computed the run's nodes: in history, then on the node itself.
    expect(await page.getByTestId(`run-${runId}`).getByTestId('history-device').textContent()).toMatch(/^(wasm|cpu|tensorflow|webgpu)/);
    await page.getByTestId(`run-${runId}`).getByText('Open').click();
    await page.getByTestId('viewing-banner').waitFor();
    expect(await page.getByTestId('device-model').textContent()).toMatch(/^(wasm|cpu|tensorflow|webgpu)/);
    await page.getByTestId('node-model').click();
    await page.getByTestId('open-playground').click();
    await page.getByTestId('playground').waitFor();
    expect(await page.getByTestId('pg-model').inputValue()).toBe(`${runId}/model`);
    expect(await page.getByTestId('pg-model-info').textContent()).toContain('context 1024 tokens');

    // Completion: a plain language model opens in this mode.
    expect(await page.getByTestId('pg-mode-complete').getAttribute('aria-checked')).toBe('true');
    await page.getByTestId('pg-max-tokens').fill('40');
    await page.getByTestId('pg-prompt').fill('Call me Ishmael.');
    await page.getByTestId('pg-generate').click();
    await page.getByTestId('pg-stats').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('pg-stats').textContent()).toMatch(/^40 tokens · reached the token limit · [\d.]+ tokens\/s/);
    expect((await page.locator('.pg-generated').textContent())!.length).toBeGreaterThan(0);
    await shot(page, 'real-07-playground-completion');
    // The device: CPU for this request, and the stats say which device answered.
    await page.getByTestId('pg-device').selectOption('cpu');
    await page.getByTestId('pg-generate').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="pg-stop"]'), null, { timeout: 30_000 });
    await page.getByTestId('pg-stats').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('pg-stats').textContent()).toMatch(/ · (wasm|cpu)$/);
    await page.getByTestId('pg-device').selectOption('auto');

    // Chat: the model was never fine-tuned for chat, and the playground says so.
    await page.getByTestId('pg-mode-chat').click();
    await page.getByTestId('pg-not-chat').waitFor();
    await page.getByTestId('pg-max-tokens').fill('1000');
    await page.getByTestId('pg-message').fill('Where is the whale?');
    await page.getByTestId('pg-message').press('Enter');
    await expect.poll(async () => (await page.getByTestId('pg-turn-assistant').textContent())!.length, { timeout: 30_000 }).toBeGreaterThan(15);
    await shot(page, 'real-08-playground-streaming');
    await page.getByTestId('pg-stop').click();
    await expect.poll(() => page.getByTestId('pg-stats').textContent(), { timeout: 15_000 }).toMatch(/ · stopped · /);
    const stopped = Number((await page.getByTestId('pg-stats').textContent())!.split(' ')[0]);
    expect(stopped).toBeLessThan(1000);
    expect(await page.getByTestId('pg-turn-user').textContent()).toContain('Where is the whale?');
    // The model saw the conversation in the plain "role: content" format, since it has no chat template.
    await page.getByText('What the model saw').click();
    expect(await page.getByTestId('pg-seen-prompt').textContent()).toBe('user: Where is the whale?\nassistant: ');
    await shot(page, 'real-09-playground-stopped');

    // An encoder fills in masks instead (its own mode; the sampling settings do not apply).
    const encoder = graphOf(
      [
        { id: 'tok', type: 'tokenizer', params: { kind: 'byte-level', specialTokens: '<mask>' } },
        { id: 'model', type: 'model', params: { architecture: 'encoder', layers: 1, heads: 2, width: 32, context: 64 } },
      ],
      [['tok', 'tokenizer', 'model', 'tokenizer']],
    );
    const enc = await env.served().engine.startRun({ graph: encoder });
    expect((await env.served().engine.waitForRun(enc.runId)).state).toBe('succeeded');
    await page.getByRole('button', { name: 'Refresh list' }).click();
    await page.getByTestId('pg-model').selectOption(`${enc.runId}/model`);
    expect(await page.getByTestId('pg-mode-fill-mask').getAttribute('aria-checked')).toBe('true');
    expect(await page.getByTestId('pg-mode-chat').count()).toBe(0);
    expect(await page.getByTestId('pg-temperature').count()).toBe(0);
    await page.getByTestId('pg-prompt').fill('Call me <mask>.');
    await page.getByTestId('pg-generate').click();
    await page.getByTestId('pg-prediction').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('pg-mask').count()).toBe(1);
    expect(await page.getByTestId('pg-mask').locator('.pg-candidate').count()).toBe(5);
    expect(await page.getByTestId('pg-filled').textContent()).toMatch(/^Call me [\s\S]*\.$/);
    await shot(page, 'real-10-playground-fill-mask');
    await page.getByTestId('pg-close').click();
    expect(await page.getByTestId('playground').count()).toBe(0);
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 120_000);
});

describe('the server, seen from a browser', () => {
  let evil: Server;
  beforeAll(async () => {
    // A page on another origin (as any website the user visits could be) that tries the API.
    evil = createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'));
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(() => new Promise<void>((r) => evil.close(() => r())));

  it('refuses the editor without the token', async () => {
    const { context, page } = await newPage(env.browser());
    const res = await page.goto(`http://127.0.0.1:${env.served().server.port}/`);
    expect(res?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('Weft refused this request');
    await context.close();
  }, 120_000);

  it('refuses a WebSocket from a foreign origin even when it knows the token', async () => {
    const { context, page } = await newPage(env.browser());
    await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
    const outcome = await page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(url);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
        }),
      `ws://127.0.0.1:${env.served().server.port}/api?token=${env.served().server.token}`,
    );
    expect(outcome).toBe('refused');
    await context.close();
  }, 120_000);
});
