import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closedUrl, commitOf, filesOf, startFixtureHub, type FixtureHub } from '../../../test/fixtures/hub-server.ts';
import { tempDir } from '../../../test/helpers.ts';
import { fetchHubModel, HubError, type HubModelRequest } from './download.ts';
import { hubModelIdProblem, hubRepoDir, revisionProblem } from './repo.ts';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/hf/', import.meta.url));
const ID = 'test-org/tiny-chat';
const smol = filesOf(join(FIXTURES, 'smollm-tied'), { 'README.md': '# tiny', 'pytorch_model.bin': Buffer.alloc(64, 1) });
const COMMIT = commitOf(smol);

let hub: FixtureHub;
let cacheDir: string;
const req = (over: Partial<HubModelRequest> = {}): HubModelRequest => ({ id: ID, revision: 'main', offline: false, cacheDir, hubUrl: hub.url, ...over });
const resolves = () => hub.requests.filter((r) => r.path.includes('/resolve/'));

beforeAll(async () => {
  hub = await startFixtureHub();
});
afterAll(() => hub.close());
beforeEach(() => {
  cacheDir = tempDir('weft-hub-');
  hub.repos.clear();
  hub.repos.set(ID, { refs: { main: COMMIT }, commits: { [COMMIT]: smol } });
  hub.requests.length = 0;
  hub.cutAfter.clear();
  hub.slowMs = 0;
  hub.noRanges = false;
});

async function failure(p: Promise<unknown>): Promise<HubError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HubError);
  return e as HubError;
}

describe('model ids and revisions (checked at validation, no network)', () => {
  it('accepts owner/name and refuses other shapes with a reason', () => {
    expect(hubModelIdProblem('HuggingFaceTB/SmolLM2-135M-Instruct')).toBeNull();
    expect(hubModelIdProblem('Qwen/Qwen2.5-0.5B')).toBeNull();
    expect(hubModelIdProblem('')).toMatch(/give a Hub model id/);
    expect(hubModelIdProblem('gpt2')).toMatch(/owner\/name/);
    expect(hubModelIdProblem('https://huggingface.co/gpt2/x')).toMatch(/not a URL/);
    expect(hubModelIdProblem('a/b/c')).toMatch(/owner\/name/);
    expect(hubModelIdProblem('owner/na--me')).toMatch(/no "--"/);
    expect(hubModelIdProblem('../etc')).toMatch(/may hold/);
    expect(revisionProblem('main')).toBeNull();
    expect(revisionProblem('refs/pr/1')).toBeNull();
    expect(revisionProblem('a..b')).toMatch(/not a valid/);
  });
});

describe('Hub downloads into the workspace cache', () => {
  it('resolves the revision to a commit, downloads only what Weft reads, and reports progress', async () => {
    const progress: Array<[number, number]> = [];
    const logs: string[] = [];
    const snap = await fetchHubModel(req({ progress: (d, t) => void progress.push([d, t]), log: (m) => logs.push(m) }));
    expect(snap.commit).toBe(COMMIT);
    expect(snap.dir).toBe(join(hubRepoDir(cacheDir, ID), 'snapshots', COMMIT));
    expect(snap.files.sort()).toEqual(['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    expect(readdirSync(snap.dir).sort()).toEqual(snap.files.sort());
    for (const f of snap.files) expect(readFileSync(join(snap.dir, f)).equals(smol[f]!)).toBe(true);
    expect(resolves().map((r) => r.path.split('/').pop()).sort()).toEqual(snap.files.sort()); // no README, no .bin
    expect(resolves().every((r) => r.path.includes(`/resolve/${COMMIT}/`))).toBe(true); // files come from the commit, not the moving branch
    expect(snap.downloadedBytes).toBe(snap.totalBytes);
    expect(progress.at(-1)).toEqual([snap.totalBytes, snap.totalBytes]);
    expect(readFileSync(join(hubRepoDir(cacheDir, ID), 'refs', 'main'), 'utf8')).toBe(COMMIT);
    expect(logs.some((l) => l.startsWith('model.safetensors: '))).toBe(true);
    // Blobs by content: the safetensors blob is named by its sha256, as the Hub's ETag.
    expect(readdirSync(join(hubRepoDir(cacheDir, ID), 'blobs'))).toContain(createHash('sha256').update(smol['model.safetensors']!).digest('hex'));
  });

  it('uses the cache the second time: a branch costs one metadata request, a commit none, offline none', async () => {
    await fetchHubModel(req());
    hub.requests.length = 0;
    const again = await fetchHubModel(req());
    expect(again.downloadedBytes).toBe(0);
    expect(resolves()).toEqual([]);
    expect(hub.requests.map((r) => r.path)).toEqual([`/api/models/${ID}/revision/main`]);
    hub.requests.length = 0;
    await fetchHubModel(req({ revision: COMMIT }));
    await fetchHubModel(req({ offline: true }));
    await fetchHubModel(req({ offline: true, hubUrl: 'http://127.0.0.1:9' }));
    expect(hub.requests).toEqual([]);
  });

  it('offline without the model in the cache says to run once with a network', async () => {
    const e = await failure(fetchHubModel(req({ offline: true })));
    expect(e.code).toBe('not_cached');
    expect(e.message).toMatch(/^test-org\/tiny-chat at revision main is not in the cache; run once with a network/);
    expect(hub.requests).toEqual([]);
  });

  it('downloads a sharded model: the index and every shard it names', async () => {
    const sharded = filesOf(join(FIXTURES, 'llama3-gqa-bf16-sharded'));
    const c = commitOf(sharded);
    hub.repos.set('test-org/sharded', { refs: { main: c }, commits: { [c]: sharded } });
    const progress: Array<[number, number]> = [];
    const snap = await fetchHubModel(req({ id: 'test-org/sharded', progress: (d, t) => void progress.push([d, t]) }));
    // One total from the start (shards guessed by name until the index is read), bytes only growing.
    expect(new Set(progress.map(([, t]) => t))).toEqual(new Set([snap.totalBytes]));
    expect(progress.every(([d], i) => i === 0 || d >= progress[i - 1]![0])).toBe(true);
    expect(snap.files).toEqual(expect.arrayContaining(['model.safetensors.index.json', 'model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors']));
    expect(snap.files).not.toContain('reference.json');
  });

  it('continues a file whose connection was cut, with a Range request, and checks its sha256', async () => {
    const weights = smol['model.safetensors']!;
    hub.cutAfter.set(`${ID}/model.safetensors`, Math.floor(weights.length / 2));
    const logs: string[] = [];
    const snap = await fetchHubModel(req({ log: (m) => logs.push(m) }));
    expect(readFileSync(join(snap.dir, 'model.safetensors')).equals(weights)).toBe(true);
    const tries = resolves().filter((r) => r.path.endsWith('model.safetensors'));
    expect(tries.length).toBe(2);
    expect(tries[0]!.range).toBeUndefined();
    expect(tries[1]!.range).toBe(`bytes=${Math.floor(weights.length / 2)}-`);
    expect(logs.some((l) => /connection broke/.test(l))).toBe(true);
  });

  it('keeps the partial file when the run gives up, and the next run continues it', async () => {
    const weights = smol['model.safetensors']!;
    const half = Math.floor(weights.length / 2);
    hub.cutAfter.set(`${ID}/model.safetensors`, half);
    const e = await failure(fetchHubModel(req({ attempts: 1 })));
    expect(e.message).toMatch(/could not reach http:\/\/127\.0\.0\.1:\d+ to download model\.safetensors: .*the next run continues from there/);
    const blobs = join(hubRepoDir(cacheDir, ID), 'blobs');
    expect(readdirSync(blobs).some((n) => n.endsWith('.incomplete'))).toBe(true);
    hub.requests.length = 0;
    const snap = await fetchHubModel(req());
    expect(readFileSync(join(snap.dir, 'model.safetensors')).equals(weights)).toBe(true);
    expect(resolves().map((r) => [r.path.split('/').pop(), r.range])).toEqual([['model.safetensors', `bytes=${half}-`]]);
    expect(snap.downloadedBytes).toBe(weights.length - half);
  });

  it('stops promptly when cancelled and leaves the partial file for the next run', async () => {
    hub.slowMs = 20;
    const controller = new AbortController();
    let seen = 0;
    const run = fetchHubModel(
      req({
        signal: controller.signal,
        progress: (done) => {
          seen = done;
          if (done > 120_000) controller.abort(new Error('cancelled'));
        },
      }),
    );
    const t0 = Date.now();
    await expect(run).rejects.toThrow('cancelled');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(seen).toBeGreaterThan(0);
    const blobs = join(hubRepoDir(cacheDir, ID), 'blobs');
    const partial = readdirSync(blobs).find((n) => n.endsWith('.incomplete'));
    expect(partial).toBeDefined();
    expect(existsSync(join(hubRepoDir(cacheDir, ID), '.lock'))).toBe(false);
    hub.slowMs = 0;
    hub.requests.length = 0;
    const snap = await fetchHubModel(req());
    expect(readFileSync(join(snap.dir, 'model.safetensors')).equals(smol['model.safetensors']!)).toBe(true);
    expect(resolves().find((r) => r.path.endsWith('model.safetensors'))?.range).toMatch(/^bytes=[1-9]\d*-$/);
  });

  it('lets one of two simultaneous downloads of a model fetch it, and the other use the result', async () => {
    const [a, b] = await Promise.all([fetchHubModel(req()), fetchHubModel(req())]);
    expect(a.commit).toBe(b.commit);
    expect(resolves().filter((r) => r.path.endsWith('model.safetensors'))).toHaveLength(1);
    expect(a.downloadedBytes + b.downloadedBytes).toBe(a.totalBytes);
  });

  it('starts a file over when the server ignores the Range header', async () => {
    hub.cutAfter.set(`${ID}/model.safetensors`, 1000);
    hub.noRanges = true;
    const snap = await fetchHubModel(req());
    expect(readFileSync(join(snap.dir, 'model.safetensors')).equals(smol['model.safetensors']!)).toBe(true);
  });

  it('sends HF_TOKEN as a bearer token to a gated model, and says what to do without it', async () => {
    hub.repos.get(ID)!.gated = true;
    const e = await failure(fetchHubModel(req()));
    expect(e.code).toBe('gated');
    expect(e.message).toBe('test-org/tiny-chat is gated or private: accept its licence on the Hub and set HF_TOKEN');
    const wrong = await failure(fetchHubModel(req({ token: 'hf_wrong' })));
    expect(wrong.message).toMatch(/gated or private: .*refused the HF_TOKEN/);
    expect(wrong.message).not.toContain('hf_wrong');
    hub.requests.length = 0;
    const snap = await fetchHubModel(req({ token: hub.token }));
    expect(snap.commit).toBe(COMMIT);
    expect(hub.requests.every((r) => r.authorization === `Bearer ${hub.token}`)).toBe(true);
    const bad = await failure(fetchHubModel(req({ token: 'not-a-token', revision: 'other', cacheDir: tempDir() })));
    expect(bad.message).toMatch(/HF_TOKEN does not look like a Hugging Face access token/);
  });

  it('says when there is no such model or revision', async () => {
    const e = await failure(fetchHubModel(req({ id: 'test-org/nothing' })));
    expect(e.message).toBe(`no model test-org/nothing at revision main on ${hub.url}`);
    const r = await failure(fetchHubModel(req({ revision: 'v9' })));
    expect(r.message).toBe(`no model test-org/tiny-chat at revision v9 on ${hub.url}`);
  });

  it('says when the Hub cannot be reached', async () => {
    const nowhere = await closedUrl();
    const e = await failure(fetchHubModel(req({ hubUrl: nowhere })));
    expect(e.code).toBe('unreachable');
    expect(e.message).toBe(`could not reach ${nowhere}: connection refused (ECONNREFUSED) (offline mode uses the cache)`);
  });

  it('refuses to start on a full disk, saying how much space it needs', async () => {
    const e = await failure(fetchHubModel(req({ freeBytes: () => 1000 })));
    expect(e.code).toBe('disk_full');
    expect(e.message).toMatch(/^the disk holding .*blobs is full \(needs about 1 MB\)$/);
    expect(resolves()).toEqual([]);
  });

  // A real full disk: a 256 KiB tmpfs, where the system allows mounting one (root on Linux); the free-space check is told there is room.
  const tmpfs = (() => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
    const dir = tempDir('weft-full-');
    return spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]).status === 0 ? dir : null;
  })();
  afterAll(() => void (tmpfs && spawnSync('umount', [tmpfs])));
  it.skipIf(!tmpfs)('says the disk is full when a write fails with ENOSPC, keeping what was written', async () => {
    const e = await failure(fetchHubModel(req({ cacheDir: tmpfs!, freeBytes: () => 1e12 })));
    expect(e.code).toBe('disk_full');
    expect(e.message).toMatch(/^the disk holding .*blobs is full \(needs about \d+ MB\)$/);
  });

  it('lists what a repository holds when it has no safetensors weights or tokenizer.json', async () => {
    const files = { 'config.json': smol['config.json']!, 'pytorch_model.bin': Buffer.alloc(8), 'README.md': Buffer.from('x') };
    const c = commitOf(files);
    hub.repos.set('test-org/pt-only', { refs: { main: c }, commits: { [c]: files } });
    const e = await failure(fetchHubModel(req({ id: 'test-org/pt-only' })));
    expect(e.code).toBe('no_weights');
    expect(e.message).toMatch(/has no tokenizer\.json, no model\.safetensors .*The repository holds: config\.json, pytorch_model\.bin, README\.md/);
  });
});
