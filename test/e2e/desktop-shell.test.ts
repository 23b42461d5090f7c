/**
 * The editor's side of the desktop shell, in a real browser: a stand-in for the preload's
 * window.weftShell records what the editor asks of the native shell and plays menu commands, so
 * the wiring of native dialogs, recent files, window state and the application menu is checked
 * without an Electron binary (the main-process half is unit-tested with Electron mocked).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { stubEngine } from '../helpers.ts';
import { dragFromPalette, newPage, servedWithBrowser, shot } from './harness.ts';

const env = servedWithBrowser(async (ws) => (await stubEngine(ws)).engine);

/** Installed before the page's scripts, as the preload would be. */
function fakeShell(savePath: string, pickedFile: string): string {
  return `(() => {
    const calls = (window.__shellCalls = []);
    let recent = [];
    let menu = null;
    const log = (method, args) => calls.push({ method, args });
    window.__menu = (command) => menu && menu(command);
    window.weftShell = {
      chooseGraphToOpen: async () => (log('chooseGraphToOpen', []), ${JSON.stringify(savePath)}),
      chooseGraphSavePath: async (name) => (log('chooseGraphSavePath', [name]), ${JSON.stringify(savePath)}),
      pickPath: async (options) => (log('pickPath', [options]), ${JSON.stringify(pickedFile)}),
      revealPath: async (path) => void log('revealPath', [path]),
      listRecentFiles: async () => recent.slice(),
      addRecentFile: async (path) => { log('addRecentFile', [path]); recent = [path, ...recent.filter((p) => p !== path)]; },
      removeRecentFile: async (path) => { recent = recent.filter((p) => p !== path); },
      setDocumentState: async (state) => void log('setDocumentState', [state]),
      nativeEdit: async (action) => void log('nativeEdit', [action]),
      onMenuCommand: (listener) => { menu = listener; return () => { menu = null; }; },
    };
  })()`;
}

const calls = (page: Page, method: string) => page.evaluate(`window.__shellCalls.filter((c) => c.method === ${JSON.stringify(method)}).map((c) => c.args)`) as Promise<unknown[][]>;
const menu = (page: Page, command: Record<string, string>) => page.evaluate(`window.__menu(${JSON.stringify(command)})`);

describe('the editor in the desktop shell', () => {
  it('saves and opens through native dialogs, keeps recent files in the app, and follows the menu', async () => {
    const served = env.served();
    const browser = env.browser();
    const savePath = join(served.workspace, 'graphs', 'desktop.weft.json');
    const data = join(served.workspace, 'data', 'notes.txt');
    mkdirSync(join(served.workspace, 'data'), { recursive: true });
    writeFileSync(data, 'some notes');
    const { context, page, consoleErrors } = await newPage(browser);
    await context.addInitScript(fakeShell(savePath, data));
    await page.goto(served.server.url);
    await page.getByTestId('palette').waitFor();

    // Browse… asks the native picker, with the param's extensions as the dialog wants them.
    await dragFromPalette(page, 'stub.read', 300, 200);
    await page.getByTestId('node-read').click();
    await page.getByTestId('browse-read-file').click();
    await expect.poll(() => page.locator('#param-read-file').inputValue()).toBe(data);
    expect((await calls(page, 'pickPath'))[0]![0]).toMatchObject({ kind: 'file' });
    expect(await page.getByTestId('file-picker').count()).toBe(0); // no in-page picker in the app

    // The window knows the document is dirty (it asks before closing).
    await expect.poll(async () => (await calls(page, 'setDocumentState')).at(-1)?.[0]).toMatchObject({ dirty: true, path: null });

    // File > Save As… from the menu: the native dialog names the file; it lands in the app's recent files.
    await menu(page, { command: 'save-as' });
    await expect.poll(() => existsSync(savePath)).toBe(true);
    expect((await calls(page, 'chooseGraphSavePath'))[0]![0]).toMatch(/\.weft\.json$/);
    await expect.poll(async () => (await calls(page, 'addRecentFile')).map((a) => a[0])).toContain(savePath);
    await expect.poll(async () => (await calls(page, 'setDocumentState')).at(-1)?.[0]).toMatchObject({ dirty: false, path: savePath, title: 'desktop.weft.json' });
    expect(await page.getByRole('dialog').count()).toBe(0);

    // Run > Run from the menu.
    await menu(page, { command: 'run' });
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 20_000 }).toBe('succeeded');

    // The finished node's folder opens in the system file manager.
    await page.getByTestId('node-read').click();
    await page.getByTestId('reveal-folder').click();
    const revealed = (await calls(page, 'revealPath'))[0]![0] as string;
    expect(revealed.startsWith(join(served.workspace, 'cache'))).toBe(true);

    // View > History and View > Playground; File > New, then Open Recent brings the graph back.
    await menu(page, { command: 'history' });
    await page.getByTestId('history').waitFor();
    await menu(page, { command: 'playground' });
    await page.getByTestId('playground').waitFor();
    await menu(page, { command: 'playground' }); // the menu item toggles it, as the toolbar button does
    await expect.poll(() => page.getByTestId('playground').count()).toBe(0);
    await menu(page, { command: 'new' });
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(0);
    await menu(page, { command: 'open-recent', path: savePath });
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(1);
    expect(await page.getByTestId('file-name').textContent()).toBe('desktop.weft.json');

    // Edit commands act on the graph unless a text field has focus, where they go to the field natively.
    await page.getByTestId('node-read').click();
    await menu(page, { command: 'duplicate' });
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(2);
    await menu(page, { command: 'undo' });
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(1);
    await page.getByTestId('node-read').click();
    await page.locator('#param-read-file').focus();
    await menu(page, { command: 'select-all' });
    await expect.poll(async () => (await calls(page, 'nativeEdit')).map((a) => a[0])).toEqual(['select-all']);
    await shot(page, 'desktop-01-after-menu-commands');
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 120_000);
});
