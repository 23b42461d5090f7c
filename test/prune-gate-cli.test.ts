/**
 * `weft run` on the prune-and-gate example, shortened: the gate closes (the sampler is skipped, the
 * reason printed, exit 0: a closed gate is no failure) or opens (the sampler runs); a metric name
 * the evaluation does not report is refused before anything runs.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/prune-and-gate.weft.json');
const SHORT = [
  'corpus.maxRecords=20', 'tokenizer.vocabSize=300', 'model.width=32', 'model.layers=1', 'model.context=32',
  'train.steps=40', 'train.batchSize=8', 'train.evalEvery=20', 'train.checkpointEvery=0',
  'evaluate.maxTokens=2000', 'evaluate-pruned.maxTokens=2000', 'prune.recoverySteps=10', 'prune.batchSize=8', 'prune.evalWindows=8', 'prune.checkpointEvery=0',
  'sample.maxTokens=10', 'sample.samples=1',
].flatMap((s) => ['--set', s]);

function weft(workspace: string, ...args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/weft.js'), ...args, '--workspace', workspace], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 400_000 });
}

describe('weft run with a gate', () => {
  it('closed: prints the reason on the skipped node and in the summary, exits 0; open: the sampler runs', () => {
    const ws = tempDir();
    const closed = weft(ws, 'run', EXAMPLE, ...SHORT, '--set', 'ppl-check.tolerance=0.0001');
    expect(closed.status, closed.stdout + closed.stderr).toBe(0);
    const out = closed.stdout + closed.stderr;
    expect(out).toMatch(/sample skipped.*: skipped: gate "ppl-check" closed: perplexity [\d.]+ is [\d.]+% (above|below) reference perplexity [\d.]+ \(allowed 0\.0001%\)/);
    expect(closed.stdout).toMatch(/run \S+ succeeded/);
    expect(closed.stdout).toMatch(/gate ppl-check closed: perplexity/);

    const open = weft(ws, 'run', EXAMPLE, ...SHORT, '--set', 'ppl-check.tolerance=100000');
    expect(open.status, open.stdout + open.stderr).toBe(0);
    expect(open.stdout + open.stderr).toMatch(/sample succeeded/);
    expect(open.stdout + open.stderr).not.toMatch(/closed/);
  }, 600_000);

  it('refuses, before the run, a gate metric the upstream evaluation does not report', () => {
    const r = weft(tempDir(), 'run', EXAMPLE, '--set', 'ppl-check.metric=perplexty');
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain('"perplexty" is not a metric its input reports; it reports loss, perplexity, tokens, unigramBaseline');
  }, 120_000);
});
