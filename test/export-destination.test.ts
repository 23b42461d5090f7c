/** Export's destination folder is confined like every folder param: outside the workspace and picked folders, validation refuses it. */
import { describe, expect, it } from 'vitest';
import { checkForRun } from '../src-main/engine/prepare.ts';
import { catalogueOf } from '../nodes/sdk/index.ts';
import { nodeRegistry } from '../nodes/index.ts';
import { graphOf, tempDir } from './helpers.ts';

describe('Export destination', () => {
  const graph = (destination: string) =>
    graphOf(
      [
        { id: 'm', type: 'model', version: 2, params: { source: 'folder', folder: 'fixtures/hf/mistral' } },
        { id: 'x', type: 'export', params: { destination } },
      ],
      [['m', 'model', 'x', 'model']],
    );

  it('is refused at validation when outside the folders the graph may use, accepted inside', () => {
    const workspace = tempDir();
    const outside = tempDir('weft-elsewhere-');
    const refused = checkForRun(graph(outside), catalogueOf(nodeRegistry), import.meta.dirname, [workspace, import.meta.dirname]);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.errors).toEqual([expect.objectContaining({ code: 'path_outside_workspace', nodeId: 'x', param: 'destination', message: expect.stringMatching(/outside the folders this graph may read.*Browse/) })]);
    const accepted = checkForRun(graph(workspace), catalogueOf(nodeRegistry), import.meta.dirname, [workspace, import.meta.dirname]);
    expect(accepted.ok ? [] : accepted.errors).toEqual([]);
  });
});
