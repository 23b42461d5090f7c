/** Kahn's algorithm over node ids. Returns the order and the ids left over (those on or behind a cycle). */
export function topologicalOrder(
  nodeIds: readonly string[],
  edges: ReadonlyArray<{ source: string; target: string }>,
): { order: string[]; blocked: string[] } {
  const indegree = new Map(nodeIds.map((id) => [id, 0]));
  const next = new Map<string, string[]>(nodeIds.map((id) => [id, []]));
  for (const e of edges) {
    if (!indegree.has(e.source) || !indegree.has(e.target)) continue;
    indegree.set(e.target, indegree.get(e.target)! + 1);
    next.get(e.source)!.push(e.target);
  }
  // Seed the queue in file order so the plan is deterministic.
  const queue = nodeIds.filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  while (queue.length) {
    const id = queue.shift()!;
    order.push(id);
    for (const t of next.get(id)!) {
      const d = indegree.get(t)! - 1;
      indegree.set(t, d);
      if (d === 0) queue.push(t);
    }
  }
  const placed = new Set(order);
  return { order, blocked: nodeIds.filter((id) => !placed.has(id)) };
}

/** One cycle among the given edges, as a list of ids ending where it started, or null. */
export function findCycle(nodeIds: readonly string[], edges: ReadonlyArray<{ source: string; target: string }>): string[] | null {
  const next = new Map<string, string[]>(nodeIds.map((id) => [id, []]));
  for (const e of edges) next.get(e.source)?.push(e.target);
  const state = new Map<string, 'open' | 'done'>();
  for (const start of nodeIds) {
    if (state.has(start)) continue;
    // Iterative DFS keeping the current path, so a 10,000-node chain cannot overflow the stack.
    const path: string[] = [];
    const iters: Array<Iterator<string>> = [];
    const enter = (id: string) => {
      state.set(id, 'open');
      path.push(id);
      iters.push((next.get(id) ?? [])[Symbol.iterator]());
    };
    enter(start);
    while (iters.length) {
      const step = iters[iters.length - 1]!.next();
      if (step.done) {
        state.set(path.pop()!, 'done');
        iters.pop();
        continue;
      }
      const t = step.value;
      if (state.get(t) === 'open') return [...path.slice(path.indexOf(t)), t];
      if (!state.has(t) && next.has(t)) enter(t);
    }
  }
  return null;
}

/** Every node reachable downstream of the given one (not including it). */
export function descendantsOf(id: string, edges: ReadonlyArray<{ source: string; target: string }>): Set<string> {
  const seen = new Set<string>();
  const stack = [id];
  while (stack.length) {
    const cur = stack.pop()!;
    for (const e of edges) {
      if (e.source === cur && !seen.has(e.target)) {
        seen.add(e.target);
        stack.push(e.target);
      }
    }
  }
  return seen;
}
