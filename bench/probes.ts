/**
 * Re-runs the probes of issue 10 and prints figures: malformed graphs through validate, abuse of
 * the web server, kill -9 of `weft run` then `weft resume`, a full disk, bad data files.
 * `npx tsx bench/probes.ts [graphs] [server] [kills] [disk] [files]` (all when none is named);
 * a few minutes on a 2-core laptop. Exits 1 when a probe finds what must not happen.
 */
import { examplesDir } from '../src-main/host/templates.ts';
import { openDefaultHost } from '../src-main/host/default-host.ts';
import { tempDir } from '../test/helpers.ts';
import { probeMalformedGraphs } from './probes/malformed-graphs.ts';
import { probeServerAbuse } from './probes/server-abuse.ts';
import { slowTrainingGraph } from './probes/slow-graph.ts';
import { probeKills } from './probes/kills.ts';

const wanted = new Set(process.argv.slice(2));
const runs = (name: string) => wanted.size === 0 || wanted.has(name);
let failed = false;
const fail = (what: string) => {
  failed = true;
  console.log(`  !! ${what}`);
};

if (runs('graphs')) {
  console.log('== malformed graphs through `weft validate` (parseGraph + the engine\'s check)');
  const host = await openDefaultHost(tempDir('weft-probe-graphs-'), { allowedRoots: [examplesDir()] });
  const f = await probeMalformedGraphs(host);
  await host.close();
  console.log(`  ${f.graphs} malformed graphs (${Object.keys(f.perKind).length} kinds of damage to ${'the examples'}) in ${(f.ms / 1000).toFixed(1)} s`);
  console.log(`  wrongly accepted: ${f.wronglyAccepted.length}; crashes: ${f.crashes.length}`);
  for (const w of f.wronglyAccepted.slice(0, 10)) fail(`accepted: ${w.kind} in ${w.example}`);
  for (const c of f.crashes.slice(0, 10)) fail(`crashed: ${c.kind} in ${c.example}: ${c.error}`);
  console.log(`  per kind: ${Object.entries(f.perKind).map(([k, n]) => `${k} ${n}`).join(', ')}`);
}

if (runs('server')) {
  console.log('== abuse of `weft serve` (each followed by: page served, WebSocket answers, the training still runs)');
  const host = await openDefaultHost(tempDir('weft-probe-server-'), { allowedRoots: [examplesDir()] });
  const { graph, graphDir } = await slowTrainingGraph();
  const { runId } = await host.startRun({ graph, graphDir });
  const results = await probeServerAbuse(host, runId);
  const training = (await host.listActiveRuns()).includes(runId);
  await host.cancelRun(runId).catch(() => undefined);
  await host.waitForRun(runId);
  await host.close();
  for (const r of results) {
    console.log(`  ${r.probe}: ${r.answer} -> server ${r.alive ? 'alive' : 'DEAD'}`);
    if (!r.alive) fail(`the server died after: ${r.probe}`);
    // Refused means an error reply, a closed socket, a 4xx, or validation answering ok: false.
    if (/accepted|HTTP\/1\.1 200/.test(r.answer) || (r.answer.startsWith('result') && !r.answer.includes('"ok":false'))) fail(`accepted: ${r.probe}`);
  }
  console.log(`  ${results.filter((r) => r.alive).length}/${results.length} probes survived; the training started before them ${training ? 'was still running' : 'HAD STOPPED'}`);
  if (!training) fail('the training stopped during the abuse');
}

if (runs('kills')) {
  console.log('== kill -9 of `weft run` (tiny pretraining, 40 steps, a checkpoint every 8), then `weft resume`');
  const started = performance.now();
  const { reference, referenceRows, results } = await probeKills();
  console.log(`  uninterrupted: final loss ${reference} (${referenceRows} history rows)`);
  for (const r of results) {
    console.log(`  killed ${r.point}${r.killedAtStep !== null ? ` (step ${r.killedAtStep})` : ''}: resume ${r.resumedState}, from step ${r.resumedFromStep ?? '-'}, final loss ${r.finalLoss} ${r.identical ? 'bit-identical' : 'DIFFERS'}, ${r.historyRows} history rows`);
    if (!r.identical || r.resumedState !== 'succeeded') fail(`resume after a kill ${r.point} did not reproduce the run`);
    if (r.historyRows !== referenceRows) fail(`the resumed run's history has ${r.historyRows} rows, not ${referenceRows}`);
  }
  console.log(`  ${results.filter((r) => r.identical).length}/${results.length} kill points resumed bit-identically (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

process.exitCode = failed ? 1 : 0;
