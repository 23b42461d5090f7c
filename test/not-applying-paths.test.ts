/**
 * A path kept in a setting that does not apply is neither required nor read: a Model node switched
 * back to a new model keeps the folder it once named, and the run does not care whether it exists.
 */
import { describe, expect, it } from 'vitest';
import { nodeRegistry } from '../nodes/index.ts';
import { catalogueOf } from '../nodes/sdk/index.ts';
import { checkForRun } from '../src-main/engine/prepare.ts';
import { graphOf, tempDir } from './helpers.ts';

const catalogue = catalogueOf(nodeRegistry);

describe('paths in settings that do not apply', () => {
  it('a new model ignores the folder it keeps; with Source=folder the same folder is checked', () => {
    const dir = tempDir();
    const graph = (source: string) =>
      graphOf(
        [
          { id: 'tok', type: 'tokenizer', params: { kind: 'byte-level' } },
          { id: 'model', type: 'model', version: 2, params: { source, folder: '/no/such/model-folder' } },
        ],
        [['tok', 'tokenizer', 'model', 'tokenizer']],
      );
    const fresh = checkForRun(graph('new'), catalogue, dir, [dir]);
    expect(fresh.ok ? [] : fresh.errors).toEqual([]);
    // Nothing to hash either: the folder is not among the node's files.
    expect(fresh.ok && fresh.checked.files.get('model')).toEqual({});
    const loaded = checkForRun(graph('folder'), catalogue, dir, [{ picked: '/no/such/model-folder' }]);
    expect(loaded.ok ? [] : loaded.errors.map((e) => [e.param, e.code])).toEqual([['folder', 'file_not_found']]);
  });
});
