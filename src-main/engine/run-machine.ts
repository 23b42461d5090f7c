import { enqueueActions, setup } from 'xstate';
import { FINAL_NODE_STATES, type NodeState, type RunState } from '../../nodes/sdk/index.ts';

export interface RunPlan {
  /** Node ids in topological order. */
  order: string[];
  /** Direct upstream nodes of each node. */
  upstream: Record<string, string[]>;
  /** Direct downstream nodes of each node (what a failure skips is found from these when it happens). */
  downstream: Record<string, string[]>;
  heavy: Record<string, boolean>;
}

export interface RunLimits {
  /** Nodes running at once. */
  maxConcurrent: number;
  /** Heavy nodes (training, generation) running at once. */
  maxHeavy: number;
}

/** The side effects the machine asks for; the run controller provides them. */
export interface RunEffects {
  /** Whether the cache holds this node's result; must be a pure look-up (pickReady calls it). */
  isCached(nodeId: string): boolean;
  /** For a cached node: the reason its recorded result closed (a gate that closed), else undefined. Pure. */
  cachedClosed?(nodeId: string): string | undefined;
  startNode(nodeId: string): void;
  abortNode(nodeId: string): void;
  pauseNodes(): void;
  resumeNodes(): void;
  nodeState(nodeId: string, state: NodeState, error?: string): void;
  /** The run's state changed; `nodes` are the node states as they now stand. */
  runState(state: RunState, nodes: Readonly<Record<string, NodeState>>): void;
}

export interface RunMachineInput {
  plan: RunPlan;
  limits: RunLimits;
  effects: RunEffects;
}

interface RunContext extends RunMachineInput {
  nodes: Record<string, NodeState>;
}

export type RunMachineEvent =
  | { type: 'NODE_SUCCEEDED'; nodeId: string }
  /** The node succeeded but closed its downstream (a gate whose condition failed): those are skipped with the reason. */
  | { type: 'NODE_CLOSED'; nodeId: string; reason: string }
  | { type: 'NODE_FAILED'; nodeId: string; error: string }
  | { type: 'NODE_CANCELLED'; nodeId: string }
  | { type: 'PAUSE' }
  | { type: 'RESUME' }
  | { type: 'CANCEL' };

/** Every node downstream of one, by walking the direct edges: O(nodes + edges), only when a node fails. */
function descendants(plan: RunPlan, id: string): Set<string> {
  const seen = new Set<string>();
  const stack = [id];
  while (stack.length) for (const next of plan.downstream[stack.pop()!] ?? []) if (!seen.has(next)) stack.push(next), seen.add(next);
  return seen;
}

/** The reason shown on each node a closed gate skips. */
export const closedSkipReason = (nodeId: string, reason: string) => `skipped: gate "${nodeId}" closed: ${reason}`;

const done = (s: NodeState) => s === 'succeeded' || s === 'cached';
const isFinal = (s: NodeState) => FINAL_NODE_STATES.includes(s);

/**
 * Which queued nodes can start now, and which are satisfied by the cache. Pure: `isCached` answers
 * from cache look-ups made before the run, and nothing here changes state.
 */
export function pickReady(
  ctx: Pick<RunContext, 'nodes' | 'plan' | 'limits'> & { isCached(id: string): boolean; cachedClosed?(id: string): string | undefined },
): { cached: string[]; start: string[]; skipped: Array<{ id: string; reason: string }> } {
  const nodes = { ...ctx.nodes };
  const cached: string[] = [];
  const start: string[] = [];
  const skipped: Array<{ id: string; reason: string }> = [];
  let running = Object.values(nodes).filter((s) => s === 'running').length;
  let heavyRunning = ctx.plan.order.filter((id) => nodes[id] === 'running' && ctx.plan.heavy[id]).length;
  // Loop: a cache hit can make its dependants ready in the same pass.
  for (let changed = true; changed; ) {
    changed = false;
    for (const id of ctx.plan.order) {
      if (nodes[id] !== 'queued') continue;
      if (!ctx.plan.upstream[id]!.every((u) => done(nodes[u]!))) continue;
      if (ctx.isCached(id)) {
        nodes[id] = 'cached';
        cached.push(id);
        changed = true;
        // A cached gate replays its decision: when it closed, what lies downstream is skipped again.
        const closed = ctx.cachedClosed?.(id);
        if (closed !== undefined) {
          for (const d of descendants(ctx.plan, id)) {
            if (nodes[d] !== 'queued') continue;
            nodes[d] = 'skipped';
            skipped.push({ id: d, reason: closedSkipReason(id, closed) });
          }
        }
        continue;
      }
      const heavy = ctx.plan.heavy[id];
      if (running >= ctx.limits.maxConcurrent || (heavy && heavyRunning >= ctx.limits.maxHeavy)) continue;
      nodes[id] = 'running';
      start.push(id);
      running++;
      if (heavy) heavyRunning++;
    }
  }
  return { cached, start, skipped };
}

export const runMachine = setup({
  types: {
    context: {} as RunContext,
    events: {} as RunMachineEvent,
    input: {} as RunMachineInput,
  },
  actions: {
    schedule: enqueueActions(({ context, enqueue }) => {
      const { cached, start, skipped } = pickReady({ ...context, isCached: context.effects.isCached, cachedClosed: context.effects.cachedClosed });
      if (!cached.length && !start.length) return;
      const nodes = { ...context.nodes };
      for (const id of cached) nodes[id] = 'cached';
      for (const s of skipped) nodes[s.id] = 'skipped';
      for (const id of start) nodes[id] = 'running';
      enqueue.assign({ nodes });
      enqueue(() => {
        for (const id of cached) context.effects.nodeState(id, 'cached');
        for (const s of skipped) context.effects.nodeState(s.id, 'skipped', s.reason);
        for (const id of start) {
          context.effects.nodeState(id, 'running');
          context.effects.startNode(id);
        }
      });
    }),
    markSucceeded: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'NODE_SUCCEEDED') return;
      enqueue.assign({ nodes: { ...context.nodes, [event.nodeId]: 'succeeded' } });
      enqueue(() => context.effects.nodeState(event.nodeId, 'succeeded'));
    }),
    markClosed: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'NODE_CLOSED') return;
      const nodes = { ...context.nodes, [event.nodeId]: 'succeeded' as NodeState };
      const skipped = [...descendants(context.plan, event.nodeId)].filter((id) => nodes[id] === 'queued');
      for (const id of skipped) nodes[id] = 'skipped';
      enqueue.assign({ nodes });
      enqueue(() => {
        context.effects.nodeState(event.nodeId, 'succeeded');
        for (const id of skipped) context.effects.nodeState(id, 'skipped', closedSkipReason(event.nodeId, event.reason));
      });
    }),
    markFailed: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'NODE_FAILED') return;
      const nodes = { ...context.nodes, [event.nodeId]: 'failed' as NodeState };
      const skipped = [...descendants(context.plan, event.nodeId)].filter((id) => nodes[id] === 'queued');
      for (const id of skipped) nodes[id] = 'skipped';
      enqueue.assign({ nodes });
      enqueue(() => {
        context.effects.nodeState(event.nodeId, 'failed', event.error);
        for (const id of skipped) context.effects.nodeState(id, 'skipped', `skipped because "${event.nodeId}" failed`);
      });
    }),
    markCancelled: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'NODE_CANCELLED') return;
      enqueue.assign({ nodes: { ...context.nodes, [event.nodeId]: 'cancelled' } });
      enqueue(() => context.effects.nodeState(event.nodeId, 'cancelled'));
    }),
    cancelQueued: enqueueActions(({ context, enqueue }) => {
      const queued = context.plan.order.filter((id) => context.nodes[id] === 'queued');
      const nodes = { ...context.nodes };
      for (const id of queued) nodes[id] = 'cancelled';
      enqueue.assign({ nodes });
      enqueue(() => {
        for (const id of queued) context.effects.nodeState(id, 'cancelled');
      });
    }),
    abortRunning: ({ context }) => {
      for (const id of context.plan.order) if (context.nodes[id] === 'running') context.effects.abortNode(id);
    },
    pauseNodes: ({ context }) => context.effects.pauseNodes(),
    resumeNodes: ({ context }) => context.effects.resumeNodes(),
    announce: ({ context }, state: RunState) => context.effects.runState(state, context.nodes),
  },
  guards: {
    allSettled: ({ context }) => Object.values(context.nodes).every(isFinal),
    noneRunning: ({ context }) => !Object.values(context.nodes).includes('running'),
    // A node skipped by a failure implies a failed node; one skipped by a closed gate is no failure:
    // a run whose gate closed ends succeeded (the gate did its job), its skipped nodes saying why.
    anyFailed: ({ context }) => Object.values(context.nodes).includes('failed'),
  },
}).createMachine({
  id: 'run',
  initial: 'running',
  context: ({ input }) => ({ ...input, nodes: Object.fromEntries(input.plan.order.map((id) => [id, 'queued' as NodeState])) }),
  states: {
    running: {
      entry: [{ type: 'announce', params: 'running' }, 'schedule'],
      always: { guard: 'allSettled', target: 'settled' },
      on: {
        NODE_SUCCEEDED: { actions: ['markSucceeded', 'schedule'] },
        NODE_CLOSED: { actions: ['markClosed', 'schedule'] },
        NODE_FAILED: { actions: ['markFailed', 'schedule'] },
        NODE_CANCELLED: { actions: ['markCancelled', 'schedule'] },
        PAUSE: 'paused',
        CANCEL: 'cancelling',
      },
    },
    paused: {
      entry: [{ type: 'announce', params: 'paused' }, 'pauseNodes'],
      exit: 'resumeNodes',
      on: {
        NODE_SUCCEEDED: { actions: 'markSucceeded' },
        NODE_CLOSED: { actions: 'markClosed' },
        NODE_FAILED: { actions: 'markFailed' },
        NODE_CANCELLED: { actions: 'markCancelled' },
        RESUME: 'running',
        CANCEL: 'cancelling',
      },
    },
    cancelling: {
      entry: ['cancelQueued', 'abortRunning'],
      always: { guard: 'noneRunning', target: 'cancelled' },
      on: {
        NODE_SUCCEEDED: { actions: 'markSucceeded' },
        NODE_CLOSED: { actions: 'markClosed' },
        NODE_FAILED: { actions: 'markFailed' },
        NODE_CANCELLED: { actions: 'markCancelled' },
      },
    },
    settled: {
      always: [{ guard: 'anyFailed', target: 'failed' }, { target: 'succeeded' }],
    },
    succeeded: { type: 'final', entry: { type: 'announce', params: 'succeeded' } },
    failed: { type: 'final', entry: { type: 'announce', params: 'failed' } },
    cancelled: { type: 'final', entry: { type: 'announce', params: 'cancelled' } },
  },
});
