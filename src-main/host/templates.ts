/** The template gallery: the example graphs shipped beside the sources. */
import { readdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TemplateInfo } from '../../nodes/sdk/index.ts';
import { readGraphFile } from '../store/graph-files.ts';

export function examplesDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../examples');
}

export async function listTemplates(dir = examplesDir()): Promise<TemplateInfo[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.weft.json')).sort();
  const templates: TemplateInfo[] = [];
  for (const name of names) {
    const path = resolve(dir, name);
    // A broken example is left out of the gallery rather than breaking it.
    const graph = await readGraphFile(path).catch(() => null);
    if (graph) templates.push({ path, name: graph.meta.name ?? name.replace(/\.weft\.json$/, ''), description: graph.meta.description, nodeCount: graph.nodes.length });
  }
  return templates;
}
