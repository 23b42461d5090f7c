/**
 * Hub download throughput against the local fixture Hub (127.0.0.1, no real network):
 *   npx tsx bench/hub-download.ts [MB]
 * Prints: a fresh download of a repository with one model.safetensors of the given size (default 128
 * MB, random bytes) with its sha256 check, a download cut at half and continued with a Range request,
 * and the second (cached) fetch of the same branch. Figures only, no assertions.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchHubModel } from '../nodes/lib/hub/download.ts';
import { commitOf, filesOf, startFixtureHub } from '../test/fixtures/hub-server.ts';

const mb = Number(process.argv[2] ?? 128);
const fixture = fileURLToPath(new URL('../test/fixtures/hf/smollm-tied/', import.meta.url));
const files = filesOf(fixture, { 'model.safetensors': randomBytes(mb * 1024 * 1024) });
const commit = commitOf(files);
const hub = await startFixtureHub();
hub.repos.set('bench/model', { refs: { main: commit }, commits: { [commit]: files } });

const fetchOnce = async (cacheDir: string) => {
  const t0 = performance.now();
  const snap = await fetchHubModel({ id: 'bench/model', revision: 'main', offline: false, cacheDir, hubUrl: hub.url });
  return { ms: performance.now() - t0, snap };
};

const fresh = mkdtempSync(join(tmpdir(), 'weft-hub-bench-'));
const a = await fetchOnce(fresh);
console.log(`fresh download: ${(a.snap.downloadedBytes / 1048576).toFixed(0)} MB in ${(a.ms / 1000).toFixed(2)} s = ${(a.snap.downloadedBytes / 1048576 / (a.ms / 1000)).toFixed(0)} MB/s (sha256 checked)`);
const b = await fetchOnce(fresh);
console.log(`cached fetch of main: ${b.ms.toFixed(0)} ms, ${b.snap.downloadedBytes} bytes downloaded, ${hub.requests.length} requests in all so far`);

const cut = mkdtempSync(join(tmpdir(), 'weft-hub-bench-'));
hub.cutAfter.set('bench/model/model.safetensors', Math.floor(files['model.safetensors']!.length / 2));
const c = await fetchOnce(cut);
const ok = readFileSync(join(c.snap.dir, 'model.safetensors')).equals(files['model.safetensors']!);
console.log(`cut at half and continued (Range): ${(c.ms / 1000).toFixed(2)} s, file identical: ${ok}`);

await hub.close();
for (const d of [fresh, cut]) rmSync(d, { recursive: true, force: true });
