/**
 * WeftHost overhead: what the engine itself costs around node work.
 *   npx tsx bench/engine-overhead.ts
 * Prints: per-node overhead on a chain of no-op nodes (cold workers and warm), the time of a fully
 * cached re-run of the example in-process, and whole-process wall times of `weft nodes` and of
 * `weft run` on the cached example, from the build (bin/cli-build.js) and from the sources (tsx).
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

// Whole-process times of the `weft` command, as a user sees them: from the build (bin/cli-build.js)
// and from the sources through tsx (WEFT_SOURCE=1), with a bare `node` start for scale.
const timed = (args: string[], env: Record<string, string> = {}) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, WEFT_SOURCE: '', ...env } });
  if (r.status !== 0) throw new Error(r.stderr);
  return { ms: performance.now() - t0, stderr: r.stderr };
};
const weft = (args: string[], env: Record<string, string> = {}) => timed([join(ROOT, 'bin/weft.js'), ...args, '--workspace', exampleWs], env);
const REPEATS = 7;
const stats = (f: () => number) => {
  const xs = Array.from({ length: REPEATS }, f).sort((a, b) => a - b);
  return `median ${median(xs).toFixed(0)} ms, min ${xs[0]!.toFixed(0)} ms`;
};
const firstStart = weft(['nodes'], { WEFT_TRACE_START: '1' });
console.log(`\`weft nodes\`, first start (${firstStart.stderr.match(/^weft: (.*)$/m)?.[1] ?? '?'}): ${firstStart.ms.toFixed(0)} ms`);
console.log(`\`node -e 0\` (the floor), ${REPEATS} starts: ${stats(() => timed(['-e', '0']).ms)}`);
for (const [label, env] of [
  ['from the build', {}],
  ['from the sources (tsx)', { WEFT_SOURCE: '1' }],
] as const) {
  console.log(`\`weft nodes\` ${label}, whole process, ${REPEATS} starts: ${stats(() => weft(['nodes'], env).ms)}`);
  console.log(`\`weft run\` on the cached example ${label}, whole process, ${REPEATS} starts: ${stats(() => weft(['run', EXAMPLE], env).ms)}`);
}
