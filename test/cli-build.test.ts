/**
 * The built `weft` (bin/cli-build.js): a start runs the esbuild build of the current sources, makes it
 * when there is none, and never runs a build made from other sources.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync, existsSync, readFileSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function weft(root: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(root, 'bin/weft.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', WEFT_TRACE_START: '1', WEFT_SOURCE: '', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, all: r.stdout + r.stderr };
}

/** Which build a start used, from its WEFT_TRACE_START line: the folder name, or 'sources'. */
function usedBuild(stderr: string): string {
  const m = /^weft: (?:from build|built) out\/cli\/([0-9a-f]+)/m.exec(stderr);
  if (m) return m[1]!;
  if (/^weft: from sources/m.test(stderr)) return 'sources';
  throw new Error(`no start trace in:\n${stderr}`);
}

const copies: string[] = [];
afterAll(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A checkout of its own (sources copied, node_modules linked), so edits touch no one else's build. */
function copyCheckout(): string {
  const dir = tempDir('weft-checkout-');
  copies.push(dir);
  for (const p of ['bin', 'src-main', 'nodes', 'examples', 'package.json', 'package-lock.json', 'tsconfig.json']) {
    cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

describe('built weft', () => {
  it('runs nodes, validate and run from the build', () => {
    const ws = tempDir();
    const nodes = weft(ROOT, ['nodes']);
    expect(nodes.code, nodes.all).toBe(0);
    const build = usedBuild(nodes.stderr);
    expect(build).not.toBe('sources');
    expect(existsSync(join(ROOT, 'out/cli', build, 'cli.js'))).toBe(true);
    expect(nodes.stdout).toContain('text.stats  (Data) Text statistics');

    const validate = weft(ROOT, ['validate', join(ROOT, 'examples/word-stats.weft.json'), '--workspace', ws]);
    expect(validate.code, validate.all).toBe(0);
    expect(usedBuild(validate.stderr)).toBe(build);

    // Workers come from the same build.
    const run = weft(ROOT, ['run', join(ROOT, 'examples/word-stats.weft.json'), '--workspace', ws]);
    expect(run.code, run.all).toBe(0);
    expect(usedBuild(run.stderr)).toBe(build);
    expect(run.stdout).toMatch(/\(4 succeeded\)/);
  });

  it('never runs a build made from other sources: an edit or a touch makes a new one', () => {
    const root = copyCheckout();
    const first = weft(root, ['nodes']);
    expect(first.code, first.all).toBe(0);
    expect(first.stderr).toMatch(/^weft: built out\/cli\//m);
    const built = usedBuild(first.stderr);
    const again = weft(root, ['nodes']);
    expect(again.stderr).toMatch(/^weft: from build out\/cli\//m);
    expect(usedBuild(again.stderr)).toBe(built);

    // Touched only: newer than the build, so not that build.
    const source = join(root, 'nodes/text.stats/index.ts');
    const later = new Date(Date.now() + 5000);
    utimesSync(source, later, later);
    const touched = weft(root, ['nodes']);
    expect(touched.code, touched.all).toBe(0);
    expect(usedBuild(touched.stderr)).not.toBe(built);

    // Edited to the same size, its modification time set back: still not a build of the old text.
    const before = statSync(source);
    writeFileSync(source, readFileSync(source, 'utf8').replace("label: 'Text statistics'", "label: 'Text STATISTICS'"));
    utimesSync(source, before.atime, before.mtime);
    const edited = weft(root, ['nodes']);
    expect(edited.code, edited.all).toBe(0);
    expect(edited.stdout).toContain('text.stats  (Data) Text STATISTICS');
    expect([built, usedBuild(touched.stderr)]).not.toContain(usedBuild(edited.stderr));

    // The sources on request, as in development.
    const sources = weft(root, ['nodes'], { WEFT_SOURCE: '1' });
    expect(sources.code, sources.all).toBe(0);
    expect(usedBuild(sources.stderr)).toBe('sources');
    expect(sources.stdout).toContain('Text STATISTICS');
    // Builds in use today are kept; none is half made.
    expect(readdirSync(join(root, 'out/cli')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('falls back to the sources when the build cannot be made', () => {
    const root = copyCheckout();
    // Sources that do not compile: the start falls back to tsx, which reports the error in its place.
    const file = join(root, 'src-main/cli/nodes-command.ts');
    writeFileSync(file, readFileSync(file, 'utf8') + '\nexport const broken = ;\n');
    const r = weft(root, ['nodes']);
    expect(usedBuild(r.stderr)).toBe('sources');
    expect(r.stderr).toMatch(/build failed/);
    expect(r.code).not.toBe(0);
  });
});
