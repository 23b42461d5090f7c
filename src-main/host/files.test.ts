import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { graphOf, stubEngine, tempDir } from '../../test/helpers.ts';
import type { WeftHost } from './weft-host.ts';

const engines: WeftHost[] = [];
afterAll(async () => Promise.all(engines.map((e) => e.close())));

/** A data folder outside the workspace, as a user's ~/data would be. */
function dataFolder() {
  const data = tempDir('weft-data-');
  writeFileSync(join(data, 'corpus.txt'), 'hello');
  mkdirSync(join(data, 'sub'));
  mkdirSync(join(data, '.secret'));
  writeFileSync(join(data, '.secret', 'key'), 'x');
  const outside = tempDir('weft-outside-');
  writeFileSync(join(outside, 'passwd'), 'root');
  symlinkSync(outside, join(data, 'escape'));
  return { data, outside };
}

async function open(workspace: string, data: string) {
  // The test's data folder stands for the user's home.
  const { engine } = await stubEngine(workspace, { browseRoots: [{ label: 'Home', path: data }, { label: 'Workspace', path: workspace }] });
  engines.push(engine);
  return engine;
}

describe('picking files for node params', () => {
  it('lists folders first and hides hidden entries; any readable folder can be browsed, up to the top of the disk', async () => {
    const { data, outside } = dataFolder();
    const engine = await open(tempDir(), data);
    const listing = await engine.listFolder(data);
    expect(listing.entries.map((e) => `${e.kind}:${e.name}`)).toEqual(['folder:escape', 'folder:sub', 'file:corpus.txt']);
    expect(listing.entries[2]!.size).toBe(5);
    // Up leads out of the roots (a data disk elsewhere is reachable), to the top.
    expect(listing.parent).toBe(dirname(data));
    expect((await engine.listFolder(join(data, 'sub'))).parent).toBe(data);
    expect((await engine.listFolder(outside)).entries.map((e) => e.name)).toEqual(['passwd']);
    let top = await engine.listFolder(outside);
    while (top.parent) top = await engine.listFolder(top.parent);
    expect(top.path).toBe(parse(outside).root);
    await expect(engine.listFolder(join(data, '.secret'))).rejects.toThrow(/hidden files and folders/);
    await expect(engine.listFolder(join(data, 'nothing'))).rejects.toThrow(/no such folder/);
    await expect(engine.listFolder('relative/path')).rejects.toThrow(/not a full path/);
    expect((await engine.listFolder('~')).path).toBe(realpathSync(homedir()));
  });

  it('browsing a folder outside the roots lets no graph read it; picking one file there lets graphs read that file only', async () => {
    const { data, outside } = dataFolder();
    writeFileSync(join(outside, 'other.txt'), 'other');
    const engine = await open(tempDir(), data);
    const read = (file: string) => engine.validateGraph(graphOf([{ id: 'r', type: 'stub.read', params: { file } }]));
    await engine.listFolder(outside);
    expect((await read(join(outside, 'passwd'))).errors.map((e) => e.code)).toEqual(['path_outside_workspace']);
    await engine.allowPath(join(outside, 'passwd'));
    expect((await read(join(outside, 'passwd'))).ok).toBe(true);
    expect((await read(join(outside, 'other.txt'))).errors.map((e) => e.code)).toEqual(['path_outside_workspace']);
    // The top of the disk is never a pick.
    await expect(engine.allowPath(parse(outside).root)).rejects.toThrow(/not the whole disk/);
  });

  it('lets a graph read a file once the user picked it, and still after a restart', async () => {
    const { data, outside } = dataFolder();
    const workspace = tempDir();
    const graph = graphOf([{ id: 'r', type: 'stub.read', params: { file: join(data, 'corpus.txt') } }]);
    const engine = await open(workspace, data);
    expect((await engine.validateGraph(graph)).errors.map((e) => e.code)).toEqual(['path_outside_workspace']);
    await engine.allowPath(join(data, 'corpus.txt'));
    expect((await engine.validateGraph(graph)).ok).toBe(true);
    // A picker never hands out hidden files.
    await expect(engine.allowPath(join(data, '.secret', 'key'))).rejects.toThrow(/hidden/);
    void outside;
    // Picking a root itself would open all of it: refused; so is a path that does not exist.
    await expect(engine.allowPath(data)).rejects.toThrow(/not all of it/);
    await expect(engine.allowPath(join(data, 'nothing.txt'))).rejects.toThrow(/does not exist/);
    await engine.close();
    const again = await open(workspace, data);
    const { runId } = await again.startRun({ graph });
    expect((await again.waitForRun(runId)).state).toBe('succeeded');
  });

  it('keeps hidden entries under a picked folder out of reach of graphs', async () => {
    const { data } = dataFolder();
    mkdirSync(join(data, 'sub', '.cache'));
    writeFileSync(join(data, 'sub', '.cache', 'token.txt'), 'secret');
    writeFileSync(join(data, 'sub', 'fine.txt'), 'fine');
    const engine = await open(tempDir(), data);
    await engine.allowPath(join(data, 'sub'));
    const read = (file: string) => engine.validateGraph(graphOf([{ id: 'r', type: 'stub.read', params: { file } }]));
    expect((await read(join(data, 'sub', 'fine.txt'))).ok).toBe(true);
    expect((await read(join(data, 'sub', '.cache', 'token.txt'))).errors.map((e) => e.code)).toEqual(['path_outside_workspace']);
  });

  it("lists a node's files and resolves download paths only inside its folder", async () => {
    const { data } = dataFolder();
    const engine = await open(tempDir(), data);
    const graphDir = tempDir();
    writeFileSync(join(graphDir, 'in.txt'), 'abc');
    const { runId } = await engine.startRun({ graph: graphOf([{ id: 'r', type: 'stub.read', params: { file: 'in.txt' } }]), graphDir });
    const run = await engine.waitForRun(runId);
    expect(run.state).toBe('succeeded');
    const files = await engine.listArtifactFiles(runId, 'r');
    expect(files.files.length).toBeGreaterThan(0);
    const first = files.files[0]!;
    expect(await engine.artifactFile(runId, 'r', first.path)).toBe(join(files.dir, first.path));
    await expect(engine.artifactFile(runId, 'r', '../../../etc/passwd')).rejects.toThrow(/not a file of this node/);
    await expect(engine.artifactFile(runId, 'r', 'nope.bin')).rejects.toThrow(/has no file nope.bin/);
    mkdirSync(join(files.dir, 'folder'));
    await expect(engine.artifactFile(runId, 'r', 'folder')).rejects.toThrow(/not a file/);
    await expect(engine.listArtifactFiles(runId, 'ghost')).rejects.toThrow(/has no node "ghost"/);
  });
});
