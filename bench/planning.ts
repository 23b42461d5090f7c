/**
 * Planning time (check + plan: structure, params, order, dependencies, signatures) for large graphs.
 * It used to be cubic in the number of nodes (every descendant of every node). `npx tsx bench/planning.ts`
 */
import { catalogueOf } from '../nodes/sdk/index.ts';
import { checkForRun, planRun } from '../src-main/engine/prepare.ts';
import { ContentHasher } from '../src-main/engine/signature.ts';
import { nodeRegistry } from '../test/fixtures/stub-nodes.ts';
import { graphOf, tempDir } from '../test/helpers.ts';

const catalogue = catalogueOf(nodeRegistry);
for (const n of [1000, 2000, 5000]) {
  // A long chain with a side branch every 10 nodes: deep and wide at once.
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type: i === 0 ? 'stub.source' : 'stub.append' }));
  const edges: Array<[string, string, string, string]> = [];
  for (let i = 1; i < n; i++) edges.push([`n${i % 10 === 0 ? Math.max(0, i - 10) : i - 1}`, 'out', `n${i}`, 'in']);
  const graph = graphOf(nodes, edges);
  const started = performance.now();
  const checked = checkForRun(graph, catalogue, tempDir(), []);
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors.slice(0, 3)));
  await planRun(checked.checked, catalogue, 1, new ContentHasher());
  console.log(`${n} nodes, ${edges.length} edges: checked and planned in ${(performance.now() - started).toFixed(0)} ms`);
}
