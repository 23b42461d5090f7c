/**
 * Editor performance in a real browser (Debian's Chromium, headless, software rendering):
 *   npx tsx bench/editor.ts
 * Loads a 300-node, 400-edge graph through `weft serve`'s server and prints the time to first
 * render (navigation until all 300 nodes are in the page) and frame times while panning, idle and
 * while a run streams progress and metrics into the live chart. Figures only; nothing is asserted.
 */
import { join } from 'node:path';
import { serializeGraph, GRAPH_FORMAT, GRAPH_VERSION, type Graph } from '../nodes/sdk/index.ts';
import { writeFileSync, mkdirSync } from 'node:fs';
import { launchBrowser, newPage, serve } from '../test/e2e/harness.ts';
import { stubEngine } from '../test/helpers.ts';
import type { Browser, Page } from 'playwright-core';

/** 99 sources, 200 appends (each fed on both inputs by earlier nodes), 1 heavy node: 400 edges. */
function bigGraph(): Graph {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const nodes: Graph['nodes'] = [];
  const edges: Graph['edges'] = [];
  const cols = 20;
  const place = (i: number) => ({ x: (i % cols) * 280, y: Math.floor(i / cols) * 190 });
  for (let i = 0; i < 99; i++) nodes.push({ id: `s${i}`, type: 'stub.source', version: 1, position: place(i), params: { value: `v${i}` } });
  for (let i = 0; i < 200; i++) {
    const id = `a${i}`;
    const pick = () => nodes[Math.floor(rand() * nodes.length)]!.id;
    const [x, y] = [pick(), pick()];
    nodes.push({ id, type: 'stub.append', version: 2, position: place(99 + i), params: { suffix: '.' } });
    edges.push({ id: `${id}-in`, source: x, sourceHandle: 'out', target: id, targetHandle: 'in' });
    edges.push({ id: `${id}-extra`, source: y, sourceHandle: 'out', target: id, targetHandle: 'extra' });
  }
  // First in the file: the engine schedules ready nodes in file order, so training starts at once.
  nodes.unshift({ id: 'train', type: 'stub.heavy', version: 1, position: { x: -400, y: 0 }, params: { steps: 800, stepMs: 10, mode: 'fast' } });
  // The heavy node has no input, so it can start (and stream) while the other 299 nodes run around it.
  return { format: GRAPH_FORMAT, version: GRAPH_VERSION, meta: { name: 'bench-300' }, seed: 1, nodes, edges };
}

/** Pans by dragging the empty pane while recording every animation frame's duration. */
async function panFrames(page: Page, moves = 120): Promise<{ frames: number[]; long: number[] }> {
  // A string, not a function: tsx would wrap a function with helpers the page does not have.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__long = [];
    window.__rec = true;
    // Long tasks: main-thread work over 50 ms (script, layout, paint), to tell UI cost from CPU contention.
    window.__obs?.disconnect();
    window.__obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); });
    window.__obs.observe({ type: 'longtask' });
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (window.__rec) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  const box = (await page.locator('.react-flow__pane').boundingBox())!;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  for (let i = 0; i < moves; i++) {
    const a = (i / moves) * Math.PI * 4;
    await page.mouse.move(cx + Math.cos(a) * 150, cy + Math.sin(a) * 100);
  }
  await page.mouse.up();
  return page.evaluate<{ frames: number[]; long: number[] }>(`(() => { window.__rec = false; return { frames: window.__frames.slice(1), long: window.__long }; })()`);
}

/** WEFT_BENCH_PROFILE=run|training: a CPU profile of the page while it pans, summarised as the top functions by self time. */
async function startProfile(page: Page): Promise<() => Promise<string>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return async () => {
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>; samples: number[]; timeDeltas: number[] } };
    const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      const f = byNode.get(id)!.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
      self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    });
    const total = [...self.values()].reduce((a, b) => a + b, 0);
    return ['top self time while panning (ms):', ...[...self].sort((a, b) => b[1] - a[1]).slice(0, 18).map(([k, v]) => `  ${v.toFixed(0).padStart(6)}  ${(100 * v / total).toFixed(1).padStart(5)}%  ${k}`)].join('\n');
  };
}

/** WEFT_BENCH_PROFILE=trace: where the renderer's main thread spends its time while panning (style, layout, paint, script). */
async function startTrace(b: Browser, page: Page): Promise<() => Promise<string>> {
  await b.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  return async () => {
    const buf = await b.stopTracing();
    const events = (JSON.parse(buf.toString()) as { traceEvents: Array<{ name: string; ph: string; dur?: number; tid: number; pid: number }> }).traceEvents;
    const main = events.find((e) => e.name === 'thread_name' && (e as unknown as { args: { name: string } }).args.name === 'CrRendererMain');
    const totals = new Map<string, number>();
    for (const e of events) if (e.ph === 'X' && e.dur && main && e.tid === main.tid && e.pid === main.pid) totals.set(e.name, (totals.get(e.name) ?? 0) + e.dur / 1000);
    return ['main-thread time while panning by event (ms, nested events overlap):', ...[...totals].sort((x, y) => y[1] - x[1]).slice(0, 14).map(([k, v]) => `  ${v.toFixed(0).padStart(6)}  ${k}`)].join('\n');
  };
}

function stats({ frames, long }: { frames: number[]; long: number[] }): string {
  const s = [...frames].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(1);
  return `${frames.length} frames, median ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${s[s.length - 1]!.toFixed(1)} ms, over 50 ms: ${frames.filter((f) => f > 50).length}; long tasks: ${long.length}${long.length ? ` (max ${Math.max(...long).toFixed(0)} ms)` : ''}`;
}

const served = await serve(async (ws) => (await stubEngine(ws)).engine);
const browser = await launchBrowser();
try {
  const graph = bigGraph();
  const file = join(served.workspace, 'graphs', 'bench.weft.json');
  mkdirSync(join(served.workspace, 'graphs'), { recursive: true });
  writeFileSync(file, serializeGraph(graph));
  console.log(`graph: ${graph.nodes.length} nodes, ${graph.edges.length} edges`);
  const { page } = await newPage(browser);
  for (const round of [1, 2]) {
    const t0 = Date.now();
    await page.goto(`${served.server.url}&graph=${encodeURIComponent(file)}`);
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 300, null, { timeout: 60_000 });
    console.log(`time to first render (navigation -> 300 nodes in the page), load ${round}: ${Date.now() - t0} ms`);
  }
  await page.waitForTimeout(500);
  console.log(`panning, idle:            ${stats(await panFrames(page))}`);
  await page.getByTestId('run').click();
  await page.getByTestId('badge-train').filter({ hasText: 'Running' }).waitFor({ timeout: 120_000 });
  await page.getByTestId('chart-train · value').waitFor();
  const runProfile = process.env.WEFT_BENCH_PROFILE === 'run' ? await startProfile(page) : null;
  console.log(`panning, run streaming:   ${stats(await panFrames(page))}`);
  if (runProfile) console.log(await runProfile());
  const points = await page.getByTestId('chart-train · value').getAttribute('data-points');
  console.log(`live chart points when panning stopped: ${points}`);
  const t1 = Date.now();
  await page.getByTestId('run-state').filter({ hasText: 'succeeded' }).waitFor({ timeout: 300_000 });
  console.log(`whole 300-node run finished ${Date.now() - t1} ms later`);
  // Now only the training node re-runs (the rest is cached): UI cost of streaming, without 299
  // worker jobs competing for the same two cores.
  await page.keyboard.press('f');
  await page.waitForTimeout(400);
  await page.getByTestId('node-train').click({ force: true });
  await page.locator('#param-train-steps').fill('801');
  await page.getByTestId('run').click();
  await page.getByTestId('badge-train').filter({ hasText: 'Running' }).waitFor({ timeout: 60_000 });
  await page.waitForTimeout(500);
  const profile = process.env.WEFT_BENCH_PROFILE === 'training' ? await startProfile(page) : null;
  const trace = process.env.WEFT_BENCH_PROFILE === 'trace' ? await startTrace(browser, page) : null;
  console.log(`panning, only training streaming: ${stats(await panFrames(page))}`);
  if (profile) console.log(await profile());
  if (trace) console.log(await trace());
} finally {
  await browser.close();
  await served.close();
}
