/**
 * WeftHost overhead: what the engine itself costs around node work.
 *   npx tsx bench/engine-overhead.ts
 * Prints: per-node overhead on a chain of no-op nodes (cold workers and warm), the time of a fully
 * cached re-run of the example in-process, and the wall time of `weft run` on a cached example.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WeftHost } from '../src-main/host/weft-host.ts';
import { openDefaultHost } from '../src-main/host/default-host.ts';
import { readGraphFile } from '../src-main/store/graph-files.ts';
import { graphOf, STUB_REGISTRY_MODULE } from '../test/helpers.ts';
import { nodeRegistry } from '../test/fixtures/stub-nodes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/word-stats.weft.json');
const ws = () => mkdtempSync(join(tmpdir(), 'weft-bench-'));

async function chain(engine: WeftHost, n: number, tag: string): Promise<number> {
  const nodes = [{ id: 'n0', type: 'stub.source', params: { value: tag } }, ...Array.from({ length: n - 1 }, (_, i) => ({ id: `n${i + 1}`, type: 'stub.append', version: 2 }))];
  const edges = Array.from({ length: n - 1 }, (_, i) => [`n${i}`, 'out', `n${i + 1}`, 'in'] as [string, string, string, string]);
  const t0 = performance.now();
  const { runId } = await engine.startRun({ graph: graphOf(nodes, edges) });
  const run = await engine.waitForRun(runId);
  if (run.state !== 'succeeded') throw new Error(`bench run ${run.state}`);
  return performance.now() - t0;
}

const N = 50;
const engine = await WeftHost.open({ workspace: ws(), registry: nodeRegistry, registryModule: STUB_REGISTRY_MODULE });
const cold = await chain(engine, N, 'cold');
const warm: number[] = [];
for (let i = 0; i < 5; i++) warm.push(await chain(engine, N, `warm${i}`));
const cachedChain: number[] = [];
for (let i = 0; i < 5; i++) cachedChain.push(await chain(engine, N, 'warm0'));
await engine.close();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`chain of ${N} no-op nodes, first run (worker start-up included): ${cold.toFixed(0)} ms`);
console.log(`engine overhead per executed node (warm worker, median of 5 runs): ${(median(warm) / N).toFixed(2)} ms`);
console.log(`engine overhead per cached node (median of 5 runs): ${(median(cachedChain) / N).toFixed(2)} ms`);

const exampleWs = ws();
const real = await openDefaultHost(exampleWs);
const graph = await readGraphFile(EXAMPLE);
const start = async () => {
  const t0 = performance.now();
  const { runId } = await real.startRun({ graph, graphDir: dirname(EXAMPLE) });
  const run = await real.waitForRun(runId);
  return { ms: performance.now() - t0, run };
};
const first = await start();
const again = await start();
await real.close();
console.log(`example word-stats, first run in-process: ${first.ms.toFixed(0)} ms`);
console.log(`example word-stats, cached re-run in-process: ${again.ms.toFixed(1)} ms (${Object.values(again.run.nodes).filter((n) => n.state === 'cached').length}/4 cached)`);

const cli = (args: string[]) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/weft.js'), ...args, '--workspace', exampleWs], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return performance.now() - t0;
};
const cliTimes = [cli(['run', EXAMPLE]), cli(['run', EXAMPLE]), cli(['run', EXAMPLE])];
const nodesTime = cli(['nodes']);
console.log(`\`weft run\` on the cached example, wall time (median of 3): ${median(cliTimes).toFixed(0)} ms; \`weft nodes\` (start-up alone): ${nodesTime.toFixed(0)} ms`);
