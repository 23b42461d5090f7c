import { describe, expect, it } from 'vitest';
import { DocStore, emptyGraph } from './doc-store.ts';

const node = (id: string, x = 0) => ({ id, type: 'text.load', version: 1, position: { x, y: 0 }, params: {} });

describe('DocStore undo/redo', () => {
  it('undoes and redoes edits in order, with patches that touch only what changed', () => {
    const store = new DocStore(emptyGraph());
    store.edit((g) => void g.nodes.push(node('a')));
    store.edit((g) => void g.nodes.push(node('b')));
    store.edit((g) => void (g.nodes[0]!.position.x = 50));
    expect(store.getState().graph.nodes.map((n) => n.id)).toEqual(['a', 'b']);
    store.undo();
    expect(store.getState().graph.nodes[0]!.position.x).toBe(0);
    store.undo();
    expect(store.getState().graph.nodes.map((n) => n.id)).toEqual(['a']);
    store.redo();
    store.redo();
    expect(store.getState().graph.nodes[0]!.position.x).toBe(50);
    expect(store.getState().canRedo).toBe(false);
  });

  it('keeps untouched parts of the graph identical (structural sharing)', () => {
    const store = new DocStore(emptyGraph());
    store.edit((g) => void g.nodes.push(node('a'), node('b')));
    const before = store.getState().graph.nodes[1];
    store.edit((g) => void (g.nodes[0]!.params.file = 'x.txt'));
    expect(store.getState().graph.nodes[1]).toBe(before);
  });

  it('a new edit after undo drops the redo branch', () => {
    const store = new DocStore(emptyGraph());
    store.edit((g) => void g.nodes.push(node('a')));
    store.undo();
    store.edit((g) => void g.nodes.push(node('c')));
    expect(store.getState().canRedo).toBe(false);
    store.redo();
    expect(store.getState().graph.nodes.map((n) => n.id)).toEqual(['c']);
  });

  it('coalesces quick edits with the same key into one undo step', () => {
    const store = new DocStore(emptyGraph());
    store.edit((g) => void g.nodes.push(node('a')));
    for (const v of ['d', 'da', 'dat']) store.edit((g) => void (g.nodes[0]!.params.file = v), { key: 'param:a:file' });
    store.undo();
    expect(store.getState().graph.nodes[0]!.params.file).toBeUndefined();
    expect(store.getState().graph.nodes).toHaveLength(1);
  });

  it('tracks dirtiness against the last save, including through undo', () => {
    const store = new DocStore(emptyGraph());
    expect(store.dirty).toBe(false);
    store.edit((g) => void g.nodes.push(node('a')));
    expect(store.dirty).toBe(true);
    store.markSaved('graphs/a.weft.json');
    expect(store.dirty).toBe(false);
    store.undo();
    expect(store.dirty).toBe(true);
  });

  it('ignores edits that change nothing', () => {
    const store = new DocStore(emptyGraph());
    expect(store.edit(() => {})).toBe(false);
    expect(store.getState().canUndo).toBe(false);
  });

  it('load starts a fresh history; a recovered document is dirty', () => {
    const store = new DocStore(emptyGraph());
    store.edit((g) => void g.nodes.push(node('a')));
    store.load(emptyGraph('R'), 'graphs/r.weft.json', { dirty: true });
    expect(store.getState().canUndo).toBe(false);
    expect(store.dirty).toBe(true);
  });
});
