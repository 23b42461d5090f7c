/**
 * The Endpoints view in a real browser against the web server: an endpoint started in the workspace
 * shows with its status, its key is shown once with calls to paste, a deploy node on the canvas
 * shows its endpoint's status, and Stop ends the endpoint.
 */
import OpenAI from 'openai';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deployEndpoint, stopAllEndpoints } from '../../nodes/lib/endpoint/lifecycle.ts';
import { openDefaultHost } from '../../src-main/host/default-host.ts';
import { tinyModelFolder } from '../fixtures/tiny-model.ts';
import { dragFromPalette, newPage, servedWithBrowser, shot } from './harness.ts';

const env = servedWithBrowser((ws) => openDefaultHost(ws));

afterAll(async () => {
  await stopAllEndpoints(env.served().workspace);
});

describe('the Endpoints view', () => {
  it('lists a running endpoint, shows its key once with snippets, shows it on a deploy node, and stops it', async () => {
    const ws = env.served().workspace;
    const model = join(ws, 'models', 'tiny');
    cpSync(await tinyModelFolder(), model, { recursive: true });
    const { info, key } = await deployEndpoint({ workspace: ws, modelPath: model, name: 'e2e-model' });
    const client = new OpenAI({ baseURL: info.url, apiKey: key, maxRetries: 0 });
    await client.completions.create({ model: 'e2e-model', prompt: 'hi', max_tokens: 3 });

    const { context, page, consoleErrors } = await newPage(env.browser());
    await page.goto(env.served().server.url);
    await page.getByTestId('palette').waitFor();

    // A deploy node naming the model shows its endpoint's status and address on the canvas.
    await dragFromPalette(page, 'deploy', 300, 200);
    await page.getByTestId('node-deploy').click();
    await page.locator('#param-deploy-name').fill('e2e-model');
    await expect.poll(() => page.getByTestId('deploy-endpoint-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('running');
    expect(await page.getByTestId('deploy-endpoint-status').textContent()).toContain(info.url);

    await page.getByTestId('endpoints-button').click();
    const row = page.getByTestId('endpoint-e2e-model');
    await expect.poll(() => row.getByTestId('endpoint-status-e2e-model').textContent()).toBe('running');
    expect(await row.textContent()).toContain(info.url);
    expect(await row.textContent()).toContain('1 request served');
    await shot(page, 'endpoints-01-list');

    await row.getByTestId('reveal-e2e-model').click();
    await expect.poll(() => page.getByTestId('snippet-key').textContent()).toBe(key);
    expect(await page.getByTestId('snippet-curl').textContent()).toContain(`Bearer ${key}`);
    expect(await page.getByTestId('snippet-python').textContent()).toContain(`base_url="${info.url}"`);
    expect(await page.getByTestId('snippet-javascript').textContent()).toContain(`apiKey: "${key}"`);
    await shot(page, 'endpoints-02-key');
    // Once: the button is gone, and the host refuses a second reveal.
    await expect.poll(() => row.getByTestId('reveal-e2e-model').count()).toBe(0);
    await expect(env.served().engine.revealEndpointKey('e2e-model')).rejects.toThrow(/shown once already/);

    await row.getByTestId('stop-e2e-model').click();
    await expect.poll(() => page.getByTestId('endpoint-e2e-model').count(), { timeout: 20_000 }).toBe(0);
    await page.getByTestId('no-endpoints').waitFor();
    expect(await client.models.list().catch((e: unknown) => e)).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 180_000);
});
