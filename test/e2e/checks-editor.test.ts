/**
 * Checks before the run, in a real browser with Weft's real nodes: a trainer fed data with no
 * validation split shows a warning (status bar and inspector) that does not block Run; a value refused
 * in a field is a problem the status bar counts ("No problems" is never shown beside it) and Run
 * refuses to start until the field is fixed; a context longer than the model's is marked on its field.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeGraph } from '../../nodes/sdk/index.ts';
import { openDefaultHost } from '../../src-main/host/default-host.ts';
import { graphOf } from '../helpers.ts';
import { newPage, servedWithBrowser, shot } from './harness.ts';

const env = servedWithBrowser((ws) => openDefaultHost(ws));

function chatGraph() {
  return graphOf(
    [
      { id: 'tok', type: 'tokenizer', params: { kind: 'byte-level' } },
      { id: 'model', type: 'model', version: 2, params: { source: 'new', layers: 1, heads: 2, width: 32, context: 32 } },
      { id: 'data', type: 'dataset.synthetic', params: { count: 50 } },
      { id: 'chat', type: 'data.chat', params: {} },
      { id: 'sft', type: 'train.sft', params: { steps: 2, batchSize: 2 } },
    ],
    [
      ['tok', 'tokenizer', 'model', 'tokenizer'],
      ['model', 'model', 'sft', 'model'],
      ['data', 'dataset', 'chat', 'dataset'],
      ['chat', 'dataset', 'sft', 'dataset'],
    ],
  );
}

describe('checks before the run in the editor', () => {
  it('shows a warning without blocking, counts a refused field as a problem, and will not run until it is fixed', async () => {
    const graphs = join(env.served().workspace, 'graphs');
    mkdirSync(graphs, { recursive: true });
    const file = join(graphs, 'chat.weft.json');
    writeFileSync(file, serializeGraph(chatGraph()));
    const { context, page, consoleErrors } = await newPage(env.browser());
    await page.goto(`${env.served().server.url}&graph=${encodeURIComponent(file)}`);
    await expect.poll(() => page.locator('.react-flow__node').count(), { timeout: 20_000 }).toBe(5);

    // No validation split: a warning beside "No problems", and on the trainer in the inspector.
    await expect.poll(() => page.getByTestId('warnings').textContent().catch(() => ''), { timeout: 10_000 }).toBe('⚠ 1 warning');
    expect(await page.getByTestId('problems').textContent()).toBe('No problems');
    expect(await page.getByTestId('check-warnings-sft').textContent()).toBe('⚠ 1');
    await page.getByTestId('node-sft').click();
    await expect.poll(() => page.getByTestId('node-warning').textContent()).toMatch(/no validation split, so fine-tuning reports no validation loss/);

    // A value the field refuses: the status bar counts it, and Run does not start.
    await page.locator('#param-sft-batchSize').fill('two');
    await expect.poll(() => page.getByTestId('param-sft-batchSize').getByRole('alert').textContent()).toMatch(/"two" is not a number/);
    await expect.poll(() => page.getByTestId('problems').textContent()).toBe('1 problem');
    await shot(page, 'checks-01-refused-field');
    await page.getByTestId('run').click();
    await page.getByTestId('toast').filter({ hasText: "Can't run yet: sft has a value that was not applied" }).waitFor();
    expect((await env.served().engine.listRuns()).length).toBe(0);

    // A context longer than the model's is found before the run and marked on its field.
    await page.locator('#param-sft-batchSize').fill('2');
    await page.locator('#param-sft-context').fill('64');
    await expect
      .poll(() => page.getByTestId('param-sft-context').getByRole('alert').textContent(), { timeout: 10_000 })
      .toBe("Context 64 is longer than the model's context of 32 tokens. Set Context to 32 or less (0 uses the model's).");
    await expect.poll(() => page.getByTestId('problems').textContent()).toBe('1 problem');
    await page.locator('#param-sft-context').fill('0');
    await expect.poll(() => page.getByTestId('problems').textContent(), { timeout: 10_000 }).toBe('No problems');
    await shot(page, 'checks-02-fixed');
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 180_000);
});
