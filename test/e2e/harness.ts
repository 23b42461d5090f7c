import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { WeftApi } from '../../nodes/sdk/index.ts';
import { type WeftHost } from '../../src-main/host/weft-host.ts';
import { examplesDir } from '../../src-main/host/templates.ts';
import { Confinement, confinedApi } from '../../src-main/server/confine.ts';
import { ensureRendererBuild } from '../../src-main/server/renderer-build.ts';
import { startWebServer, type WebServer } from '../../src-main/server/server.ts';
import { tempDir } from '../helpers.ts';
import { findBrowser } from './browser.ts';

export const SCREENSHOTS = join(process.cwd(), 'test-results', 'e2e');

const COMMON_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Launches the browser findBrowser() picks ($WEFT_CHROMIUM, a system one, else the npm one). */
export async function launchBrowser(): Promise<Browser> {
  const found = await findBrowser();
  if (process.env.WEFT_E2E_VERBOSE === '1') console.log(`browser tests: ${found.source} ${found.executablePath}`);
  return chromium.launch({ executablePath: found.executablePath, args: [...COMMON_ARGS, ...found.args], ...(found.source === 'npm' ? { env: found.env } : {}) });
}

export interface Served {
  server: WebServer;
  engine: WeftHost;
  workspace: string;
  close(): Promise<void>;
}

/** Serves the built editor over an engine, as `weft serve` does (same confinement), on a free port. */
export async function serve(open: (workspace: string) => Promise<WeftHost>, opts: { files?: string[] } = {}): Promise<Served> {
  const rendererDir = await ensureRendererBuild();
  const workspace = tempDir('weft-e2e-');
  const engine = await open(workspace);
  const api: WeftApi = confinedApi(engine, new Confinement({ workspace, readRoots: [examplesDir()], files: opts.files ?? [] }));
  const server = await startWebServer({ api, rendererDir, artifactFile: (run, node, rel) => engine.artifactFile(run, node, rel), artifactArchive: (run, node) => engine.artifactArchive(run, node) });
  return {
    server,
    engine,
    workspace,
    async close() {
      await server.close();
      await engine.close();
    },
  };
}

/** A fresh page (own storage) with console errors collected, sized like a laptop window. */
export async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; consoleErrors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  // Fail fast: a missing element should fail the test in seconds, not at the test timeout.
  page.setDefaultTimeout(10_000);
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  return { context, page, consoleErrors };
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Drags a node type from the palette onto the canvas at a point (canvas-relative). */
export async function dragFromPalette(page: Page, type: string, x: number, y: number): Promise<void> {
  await page.getByTestId(`palette-${type}`).dragTo(page.locator('.react-flow__pane'), { targetPosition: { x, y } });
}

/** Connects an output handle to an input handle with real mouse moves. */
export async function connect(page: Page, fromNode: string, outPort: string, toNode: string, inPort: string, during?: () => Promise<void>): Promise<void> {
  const from = page.getByTestId(`node-${fromNode}`).getByTestId(`handle-out-${outPort}`);
  const to = page.getByTestId(`node-${toNode}`).getByTestId(`handle-in-${inPort}`);
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await during?.();
  await page.mouse.up();
}

/**
 * One served editor and one browser for a test file: started before its tests, closed after.
 * The getters are read inside tests (the hooks fill them in).
 */
export function servedWithBrowser(open: (workspace: string) => Promise<WeftHost>): { served(): Served; browser(): Browser } {
  let served: Served | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    served = await serve(open);
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });
  // Drafts live in the workspace, which the tests of a file share: a window a test closed with unsaved
  // edits would hand them to the next test's first window. Each test starts with none.
  afterEach(() => {
    const drafts = join(served!.workspace, 'drafts');
    if (existsSync(drafts)) for (const name of readdirSync(drafts)) rmSync(join(drafts, name), { force: true });
  });
  return { served: () => served!, browser: () => browser! };
}
