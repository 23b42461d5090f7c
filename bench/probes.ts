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
import { probeBadFiles } from './probes/bad-files.ts';
import { probeFullDisk } from './probes/full-disk.ts';

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

if (runs('disk')) {
  console.log('== a full disk (a 48 KiB tmpfs in `unshare -rm`), then space freed and the run resumed');
  const f = probeFullDisk();
  if (f.skipped) console.log(`  skipped: ${f.skipped}`);
  else {
    console.log(`  weft run exit code ${f.runExit}; the node said: ${f.message}`);
    console.log(`  run record: ${f.state}; temp files left: ${f.tempFiles}; bytes on the full disk after the failure: ${f.bytesAfter}`);
    console.log(`  weft resume after freeing space: exit code ${f.resumeExit}`);
    if (!/is full \(needs about \d+ MB\)/.test(f.message)) fail('the full-disk message does not say how much is needed');
    if (f.tempFiles !== 0 || f.state !== 'failed' || f.resumeExit !== 0) fail('a full disk left temp files, a wrong record, or no way to resume');
  }
}

if (runs('files')) {
  console.log('== bad data files (each must stop at file:line, or count what it skipped)');
  for (const r of await probeBadFiles()) {
    console.log(`  ${r.node} ${r.file}: ${r.outcome}${r.namesFileLine ? ' at file:line' : ''}: ${r.said}`);
    if (r.file.startsWith('utf16')) {
      // Auto recognises UTF-16 without a byte-order mark: all 40 lines, decoded.
      if (r.outcome !== 'succeeded' || !/"(lines|records)":40/.test(r.said)) fail(`${r.node} ${r.file} was not read as UTF-16`);
      continue;
    }
    if (!r.namesFileLine) fail(`${r.node} ${r.file} did not name file:line`);
    if (/no records read/.test(r.said)) fail(`${r.node} ${r.file}: skipping bad records lost the good rows before them`);
    if (r.outcome === 'succeeded') {
      const m = /"records":(\d+),"skipped":(\d+)/.exec(r.said);
      if (!m || Number(m[1]) + Number(m[2]) !== 40) fail(`${r.node} ${r.file}: records and skipped do not add up to the file's 40 rows`);
    }
  }
}

process.exitCode = failed ? 1 : 0;
