/**
 * The inspector as a non-programmer meets it, in a real browser: settings that do not apply are out
 * of the way (their values kept), a loaded model shows its real shape before and after it runs,
 * finished nodes show full progress, single values read as numbers, and the file picker reaches a
 * folder outside the usual places while graphs read only what was picked.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openDefaultHost } from '../../src-main/host/default-host.ts';
import { tempDir } from '../helpers.ts';
import { dragFromPalette, newPage, servedWithBrowser, shot } from './harness.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const LLAMA = join(FIXTURES, 'hf', 'llama3-gqa-bf16-sharded');
const env = servedWithBrowser((ws) => openDefaultHost(ws, { allowedRoots: [FIXTURES] }));

describe('the inspector, in plain terms', () => {
  it("hides what does not apply (keeping its value) and shows a loaded model's real shape, before and after the run", async () => {
    const { context, page, consoleErrors } = await newPage(env.browser());
    await page.goto(env.served().server.url);
    await page.getByTestId('palette').waitFor();
    await page.getByLabel('Search nodes').fill('model');
    await dragFromPalette(page, 'model', 260, 200);
    await page.getByTestId('node-model').click();
    const field = (name: string) => page.getByTestId(`param-model-${name}`);

    // A new GPT-2: its shape settings, no folder, no Hub id, no Llama-only settings.
    expect(await field('layers').isVisible()).toBe(true);
    for (const hidden of ['folder', 'hubModel', 'kvHeads', 'ropeTheta']) expect(await field(hidden).count(), hidden).toBe(0);
    await page.locator('#param-model-architecture').selectOption('llama');
    await field('kvHeads').waitFor();
    await page.locator('#param-model-layers').fill('6');
    await page.locator('#param-model-architecture').selectOption('gpt2');

    // A folder: its shape comes from the folder, so the shape settings go.
    await page.locator('#param-model-source').selectOption('folder');
    await field('folder').waitFor();
    expect(await field('layers').count()).toBe(0);
    const toggle = page.getByTestId('toggle-not-applying');
    expect(await toggle.textContent()).toMatch(/^Show \d+ settings that do not apply$/);
    await page.locator('#param-model-folder').fill(LLAMA);
    const shape = page.getByTestId('model-shape');
    await expect.poll(() => page.getByTestId('shape-layers').textContent(), { timeout: 5000 }).toBe('2');
    expect(await page.getByTestId('shape-parameters').textContent()).toBe('102,720');
    expect(await page.getByTestId('shape-architecture').textContent()).toBe('llama');
    expect(await page.getByTestId('model-shape-from').textContent()).toContain('Read from its config.json');
    await shape.scrollIntoViewIfNeeded();
    await shot(page, 'inspector-01-loaded-model-shape');

    // Shown on request, greyed, with why, and still holding the value typed before.
    await toggle.click();
    expect(await field('layers').getAttribute('data-applies')).toBe('no');
    expect(await page.locator('#param-model-layers').inputValue()).toBe('6');
    expect(await field('layers').textContent()).toContain('Used only when Source is "new".');
    await field('layers').scrollIntoViewIfNeeded();
    await shot(page, 'inspector-02-not-applying-shown');
    await toggle.click();

    // After the run: the same figures, now as the run loaded them; its one figure is a number.
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 60_000 }).toBe('succeeded');
    await page.getByTestId('node-model').click();
    await expect.poll(() => page.getByTestId('model-shape-from').textContent(), { timeout: 5000 }).toContain('As the shown run loaded it');
    expect(await page.getByTestId('shape-layers').textContent()).toBe('2');
    await page.getByTestId('tab-metrics').click();
    expect(await page.getByTestId('number-model.parameters').textContent()).toContain('102,720');
    expect(await page.locator('[data-testid^="chart-"]').count()).toBe(0);
    await shot(page, 'inspector-03-after-run');

    // Back to a new model: the value typed while it was hidden is still there.
    await page.locator('#param-model-source').selectOption('new');
    expect(await page.locator('#param-model-layers').inputValue()).toBe('6');
    expect(await page.getByTestId('model-shape').count()).toBe(0);
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 180_000);

  it('shows a finished node full and its single figures as numbers', async () => {
    const { context, page, consoleErrors } = await newPage(env.browser());
    await page.goto(env.served().server.url);
    await page.getByTestId('palette').waitFor();
    await page.getByLabel('Search nodes').fill('corpus');
    await dragFromPalette(page, 'dataset.builtin', 260, 200);
    await page.getByTestId('node-builtin').click();
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 60_000 }).toBe('succeeded');
    await page.getByTestId('node-builtin').click();
    // Moby-Dick has more chapters than a multiple of the 100 records between its progress reports.
    const progress = page.getByTestId('inspector-progress');
    const [step, total] = (await progress.textContent())!.trim().split(' / ').map((x) => Number(x.replace(/\D/g, '')));
    expect(total).toBeGreaterThan(100);
    expect(step).toBe(total);
    await page.getByTestId('tab-metrics').click();
    await page.getByTestId('metric-numbers').waitFor();
    expect(await page.locator('[data-testid^="chart-"]').count()).toBe(0);
    await shot(page, 'inspector-04-finished-full-numbers');
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it('the file picker goes to a typed folder outside the usual places and up; a graph reads there only the file picked', async () => {
    const outside = tempDir('weft-picker-');
    mkdirSync(join(outside, 'corpus'));
    writeFileSync(join(outside, 'corpus', 'notes.txt'), 'one line\nanother line\n');
    writeFileSync(join(outside, 'corpus', 'private.txt'), 'not picked\n');
    const { context, page, consoleErrors } = await newPage(env.browser());
    await page.goto(env.served().server.url);
    await page.getByTestId('palette').waitFor();
    await page.getByLabel('Search nodes').fill('load text');
    await dragFromPalette(page, 'text.load', 260, 200);
    await page.getByTestId('node-load').click();
    await page.getByTestId('browse-load-file').click();
    const box = page.getByTestId('picker-path-input');
    // The picker lists its first folder asynchronously: typing before that lands can be overwritten
    // mid-fill (the box's value changes between Playwright's select-all and its insert).
    const listed = () => expect.poll(() => box.inputValue()).not.toBe('');
    await listed();
    await box.fill(join(outside, 'corpus'));
    await box.press('Enter');
    await page.getByTestId('picker-notes.txt').waitFor();
    // Up leads to the folder above, outside every root.
    await page.getByTestId('picker-up').click();
    await expect.poll(() => box.inputValue()).toBe(outside);
    await page.getByTestId('picker-corpus').click();
    await page.getByTestId('picker-notes.txt').click();
    await shot(page, 'inspector-05-picker-typed-path');
    await page.getByTestId('picker-choose').click();
    await expect.poll(() => page.locator('#param-load-file').inputValue()).toBe(join(outside, 'corpus', 'notes.txt'));
    await expect.poll(() => page.getByTestId('problems').textContent(), { timeout: 5000 }).toBe('No problems');

    // Browsing the folder did not open it: the file beside the picked one stays out of reach.
    await page.locator('#param-load-file').fill(join(outside, 'corpus', 'private.txt'));
    await expect.poll(() => page.getByTestId('problems').textContent(), { timeout: 5000 }).toBe('1 problem');
    expect(await page.getByTestId('param-load-file').textContent()).toMatch(/outside the folders this graph may read/);
    // A typed file path opens its folder with the file selected.
    await page.getByTestId('browse-load-file').click();
    // It opens at the folder of the param's file.
    await expect.poll(() => box.inputValue()).toBe(join(outside, 'corpus'));
    await box.fill(join(outside, 'corpus', 'notes.txt'));
    await box.press('Enter');
    await expect.poll(() => box.inputValue()).toBe(join(outside, 'corpus'));
    expect(await page.getByTestId('picker-notes.txt').getAttribute('class')).toBe('on');
    await page.getByTestId('picker-choose').click();
    await expect.poll(() => page.getByTestId('problems').textContent(), { timeout: 5000 }).toBe('No problems');
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 120_000);
});
