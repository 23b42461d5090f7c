/**
 * Opening a graph upgrades it twice: the file format (graph-level migrations) and each node's
 * params (its type's migrate()), so the editor never shows params of an older node version.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import textLoad from '../../nodes/text.load/index.ts';
import { GRAPH_FORMAT, catalogueOf, migrateNodes, parseGraph, type AnyNodeDefinition, type GraphFormat } from '../../nodes/sdk/index.ts';
import { graphOf, stubEngine, tempDir } from '../../test/helpers.ts';
import type { WeftHost } from './weft-host.ts';

describe('opening a graph', () => {
  let host: WeftHost | undefined;
  afterEach(async () => host?.close());

  it('applies a format migration and then a real node type\'s migration', () => {
    // A format 2 that moved meta.title to meta.name, and a text.load version 2 that renamed "path" to "file".
    const format2: GraphFormat = {
      version: 2,
      migrations: { 1: (raw) => ({ ...raw, meta: { name: (raw.meta as { title?: string }).title } }) },
    };
    const textLoad2: AnyNodeDefinition = {
      ...textLoad,
      version: 2,
      migrate: (params, from) => {
        if (from >= 2) return params;
        const { path, ...rest } = params;
        return { ...rest, file: path };
      },
    };
    const saved = {
      format: GRAPH_FORMAT,
      version: 1,
      meta: { title: 'Old graph' },
      seed: 3,
      nodes: [{ id: 'load', type: 'text.load', version: 1, position: { x: 0, y: 0 }, params: { path: 'data/moby.txt' } }],
      edges: [],
    };
    const parsed = parseGraph(JSON.stringify(saved), format2);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.graph.version).toBe(2);
    expect(parsed.graph.meta.name).toBe('Old graph');
    const opened = migrateNodes(parsed.graph, catalogueOf([textLoad2]));
    expect(opened.nodes[0]).toMatchObject({ version: 2, params: { file: 'data/moby.txt' } });
    expect(opened.nodes[0]!.params).not.toHaveProperty('path');
    // Nothing to upgrade: the same graph comes back.
    expect(migrateNodes(opened, catalogueOf([textLoad2]))).toBe(opened);
  });

  it('openGraph gives the editor node params upgraded to the current version', async () => {
    const started = await stubEngine();
    host = started.engine;
    const graph = graphOf([{ id: 'src', type: 'stub.source' }, { id: 'app', type: 'stub.append', version: 1, params: { tail: '?' } }], [['src', 'out', 'app', 'in']]);
    const file = join(tempDir(), 'old.weft.json');
    writeFileSync(file, JSON.stringify(graph));
    const opened = await host.openGraph(file);
    expect(opened.graph.nodes.find((n) => n.id === 'app')).toMatchObject({ version: 2, params: { suffix: '?' } });
  });
});
