#!/usr/bin/env node
// Weft ships TypeScript sources. A start runs the build in out/cli/ when it is fresh for the current
// sources, making it first when there is none (bin/cli-build.js says how and when); when no build
// can be made it runs the sources through tsx, which compiles them on load.
import module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Node 22.1+ keeps V8's compiled code between starts, here beside the builds; older Nodes lack it.
module.enableCompileCache?.(fileURLToPath(new URL('../out/cli/.compile-cache', import.meta.url)));
const { locateCli } = await import('./cli-build.js');

const built = await locateCli();
if (built) {
  // Stack traces name the TypeScript sources (the build's maps point at them).
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src-main/cli.ts');
}
