/**
 * A person points Dataset from files at a chat file in a real browser: before running, the inspector
 * shows the layout it recognised and the first conversations; a wrong layout shows file:line and the
 * fields found; after the run, the dataset preview names the layout.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openDefaultHost } from '../../src-main/host/default-host.ts';
import { examplesDir } from '../../src-main/host/templates.ts';
import { dragFromPalette, newPage, servedWithBrowser, shot } from './harness.ts';

const CHAT = fileURLToPath(new URL('../../examples/data/chat-messages.jsonl', import.meta.url));
const env = servedWithBrowser((ws) => openDefaultHost(ws, { allowedRoots: [examplesDir()] }));

describe('Dataset from files in the inspector', () => {
  it('previews a chat file before the run, reports a wrong layout, and names the layout after the run', async () => {
    const { context, page, consoleErrors } = await newPage(env.browser());
    await page.goto(env.served().server.url);
    await page.getByTestId('palette').waitFor();
    await page.getByLabel('Search nodes').fill('files');
    await dragFromPalette(page, 'dataset.file', 200, 200);
    await page.getByTestId('node-file').click();
    await page.locator('#param-file-file').fill(CHAT);

    const layout = page.getByTestId('file-preview-layout');
    await expect.poll(() => layout.textContent(), { timeout: 5000 }).toBe('chat-messages.jsonl: chat messages (role/content) (recognised) · fields found: messages');
    const rows = page.getByTestId('file-preview-rows');
    expect(await rows.textContent()).toContain('first 4 records');
    expect(await rows.locator('tbody tr').first().textContent()).toContain('assistant: Paris.');
    // The field params offer the fields found.
    expect(await page.locator('#param-file-messagesField-suggestions option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['messages']);
    await page.getByTestId('file-preview').scrollIntoViewIfNeeded();
    await shot(page, 'dataset-01-file-preview');

    await page.locator('#param-file-layout').selectOption('alpaca');
    await expect
      .poll(() => page.getByTestId('file-preview-problems').textContent(), { timeout: 5000 })
      .toContain('chat-messages.jsonl:1: no "instruction" field (Alpaca layout); fields found: messages');
    await page.locator('#param-file-layout').selectOption('auto');
    await expect.poll(() => layout.textContent(), { timeout: 5000 }).toContain('(recognised)');

    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 30_000 }).toBe('succeeded');
    await expect.poll(() => page.getByTestId('preview-dataset-layout').textContent(), { timeout: 5000 }).toBe('layout: chat messages (role/content)');
    expect(await page.getByTestId('preview-dataset-train').textContent()).toContain('system: You are a concise assistant.');
    await shot(page, 'dataset-02-after-run');
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 120_000);
});
