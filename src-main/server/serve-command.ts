import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { openDefaultHost } from '../host/default-host.ts';
import { examplesDir } from '../host/templates.ts';
import { resolveWorkspaceDir } from '../store/workspace.ts';
import { Confinement, confinedApi } from './confine.ts';
import { ensureRendererBuild } from './renderer-build.ts';
import { startWebServer } from './server.ts';

export interface ServeOptions {
  workspace?: string;
  port?: number;
}

/** `weft serve [graph]`: the editor in a browser, on 127.0.0.1, until Ctrl-C. */
export async function serveCommand(graph: string | undefined, opts: ServeOptions): Promise<number> {
  const graphFile = graph ? resolve(graph) : undefined;
  if (graphFile && !existsSync(graphFile)) {
    process.stderr.write(`weft: ${graph} does not exist\n`);
    return 1;
  }
  const rendererDir = await ensureRendererBuild((line) => process.stdout.write(line + '\n'));
  const workspace = resolveWorkspaceDir(opts.workspace);
  // Templates saved into the workspace keep reading their data from the examples folder.
  const engine = await openDefaultHost(workspace, { allowedRoots: [examplesDir()] });
  const confinement = new Confinement({ workspace, readRoots: [examplesDir()], files: graphFile ? [graphFile] : [] });
  const server = await startWebServer({ api: confinedApi(engine, confinement), rendererDir, port: opts.port, initialGraph: graphFile, artifactFile: (run, node, rel) => engine.artifactFile(run, node, rel), artifactArchive: (run, node) => engine.artifactArchive(run, node) });
  process.stdout.write(`Weft is running. Open this address in your browser (it holds a per-launch key; keep it private):\n\n  ${server.url}\n\nWorkspace: ${workspace}\nPress Ctrl-C to stop.\n`);
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('\nStopping Weft…\n');
  await server.close();
  await engine.close();
  return 0;
}
