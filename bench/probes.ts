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

process.exitCode = failed ? 1 : 0;
