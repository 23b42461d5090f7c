import { produce } from 'immer';
import { describe, expect, it } from 'vitest';
import type { NodeSpec } from '../../../nodes/sdk/define-node.ts';
import { emptyGraph } from '../store/doc-store.ts';
import { applyConnection, checkConnection, fragmentOf, newNode, pasteFragment } from './graph-ops.ts';

const spec = (type: string, inputs: NodeSpec['inputs'], outputs: NodeSpec['outputs']): NodeSpec => ({ type, version: 1, category: 'C', label: type, description: '', heavy: false, inputs, outputs, params: { n: { kind: 'integer', default: 3 } } });
const specs = new Map<string, NodeSpec>([
  ['t.load', spec('t.load', {}, { text: { type: 'Text' } })],
  ['t.clean', spec('t.clean', { text: { type: 'Text' } }, { text: { type: 'Text' } })],
  ['d.split', spec('d.split', { data: { type: 'Dataset' } }, {})],
]);

function graph() {
  let g = emptyGraph();
  g = produce(g, (d) => {
    d.nodes.push(newNode(d, specs.get('t.load')!, { x: 0, y: 0 }));
    d.nodes.push(newNode(d, specs.get('t.load')!, { x: 0, y: 100 }));
    d.nodes.push(newNode(d, specs.get('t.clean')!, { x: 200, y: 0 }));
    d.nodes.push(newNode(d, specs.get('d.split')!, { x: 400, y: 0 }));
  });
  return g;
}

describe('connections', () => {
  it('new nodes get readable unique ids and default params', () => {
    expect(graph().nodes.map((n) => n.id)).toEqual(['load', 'load_2', 'clean', 'split']);
    expect(graph().nodes[0]!.params).toEqual({ n: 3 });
  });

  it('refuses mismatched port types with a reason naming both types', () => {
    const v = checkConnection(graph(), specs, { source: 'load', sourceHandle: 'text', target: 'split', targetHandle: 'data' });
    expect(v).toEqual({ ok: false, reason: expect.stringMatching(/Text to Dataset/) });
  });

  it('a second edge into the same input replaces the first', () => {
    let g = graph();
    const first = checkConnection(g, specs, { source: 'load', sourceHandle: 'text', target: 'clean', targetHandle: 'text' });
    if (!first.ok) throw new Error(first.reason);
    g = produce(g, (d) => applyConnection(d, first));
    const second = checkConnection(g, specs, { source: 'load_2', sourceHandle: 'text', target: 'clean', targetHandle: 'text' });
    expect(second).toMatchObject({ ok: true, replaces: first.edge.id });
    if (!second.ok) return;
    g = produce(g, (d) => applyConnection(d, second));
    expect(g.edges.map((e) => e.source)).toEqual(['load_2']);
  });

  it('refuses loops and self-connections', () => {
    let g = graph();
    const a = checkConnection(g, specs, { source: 'load', sourceHandle: 'text', target: 'clean', targetHandle: 'text' });
    if (!a.ok) throw new Error(a.reason);
    g = produce(g, (d) => applyConnection(d, a));
    expect(checkConnection(g, specs, { source: 'clean', sourceHandle: 'text', target: 'clean', targetHandle: 'text' }).ok).toBe(false);
  });

  it('copy/paste keeps internal edges and gives fresh ids', () => {
    let g = graph();
    const a = checkConnection(g, specs, { source: 'load', sourceHandle: 'text', target: 'clean', targetHandle: 'text' });
    if (!a.ok) throw new Error(a.reason);
    g = produce(g, (d) => applyConnection(d, a));
    const frag = fragmentOf(g, new Set(['load', 'clean']));
    let ids: string[] = [];
    g = produce(g, (d) => void (ids = pasteFragment(d, frag)));
    expect(ids).toEqual(['load_3', 'clean_2']);
    expect(g.edges.filter((e) => e.source === 'load_3' && e.target === 'clean_2')).toHaveLength(1);
  });
});
