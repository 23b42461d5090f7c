import { promises as fs } from 'node:fs';
import { basename, dirname } from 'node:path';
import { GraphInvalidError, MAX_GRAPH_BYTES, migrateNodes, parseGraph, parseGraphValue, serializeGraph, type Catalogue, type Graph } from '../../nodes/sdk/index.ts';
import { sweepStaleTemps, writeFileAtomic } from './atomic.ts';

/** Reads and parses a graph file, refusing oversized files before reading them. */
export async function readGraphFile(path: string): Promise<Graph> {
  const stat = await fs.stat(path);
  if (!stat.isFile()) throw new GraphInvalidError([{ code: 'schema', message: `${path} is not a file` }]);
  if (stat.size > MAX_GRAPH_BYTES) {
    throw new GraphInvalidError([{ code: 'too_large', message: `${path} is ${(stat.size / 1024 / 1024).toFixed(0)} MB; graph files are limited to ${MAX_GRAPH_BYTES / 1024 / 1024} MB` }]);
  }
  const parsed = parseGraph(await fs.readFile(path, 'utf8'));
  if (!parsed.ok) throw new GraphInvalidError(parsed.errors);
  return parsed.graph;
}

/** A graph file as the editor opens it: the format migrated on parse, then each node's params upgraded to its type's version. */
export async function openGraphFile(path: string, catalogue: Catalogue): Promise<Graph> {
  return migrateNodes(await readGraphFile(path), catalogue);
}

/** Writes a graph atomically: the previous file survives any failure, including a bad graph. */
export async function writeGraphFile(path: string, graph: unknown): Promise<void> {
  const parsed = parseGraphValue(graph);
  if (!parsed.ok) throw new GraphInvalidError(parsed.errors);
  // A save killed mid-way left its temp file beside the graph: the next save of that graph removes it.
  sweepStaleTemps(dirname(path), basename(path));
  await writeFileAtomic(path, serializeGraph(parsed.graph));
}
