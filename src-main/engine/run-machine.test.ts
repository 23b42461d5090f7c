/**
 * The run machine's chart on its own, with fake effects: what it starts, caches, skips, pauses and
 * cancels, and the run states it announces. (engine.test.ts drives the same machine with real workers.)
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { NodeState, RunState } from '../../nodes/sdk/index.ts';
import { pickReady, runMachine, type RunLimits, type RunPlan } from './run-machine.ts';

/** a -> b -> d, a -> c -> d; `heavy` marks b and c. */
function diamond(heavy = false): RunPlan {
  return {
    order: ['a', 'b', 'c', 'd'],
    upstream: { a: [], b: ['a'], c: ['a'], d: ['b', 'c'] },
    downstream: { a: ['b', 'c'], b: ['d'], c: ['d'], d: [] },
    heavy: { a: false, b: heavy, c: heavy, d: false },
  };
}

function start(plan: RunPlan, opts: { cached?: string[]; cachedClosed?: Record<string, string>; limits?: Partial<RunLimits> } = {}) {
  const calls: string[] = [];
  const runStates: RunState[] = [];
  const nodeStates: Record<string, NodeState[]> = {};
  const reasons: Record<string, string | undefined> = {};
  const actor = createActor(runMachine, {
    input: {
      plan,
      limits: { maxConcurrent: 4, maxHeavy: 1, ...opts.limits },
      effects: {
        isCached: (id) => (opts.cached ?? []).includes(id),
        cachedClosed: (id) => opts.cachedClosed?.[id],
        startNode: (id) => calls.push(`start ${id}`),
        abortNode: (id) => calls.push(`abort ${id}`),
        pauseNodes: () => calls.push('pause'),
        resumeNodes: () => calls.push('resume'),
        nodeState: (id, state, reason) => {
          (nodeStates[id] ??= []).push(state);
          reasons[id] = reason;
        },
        runState: (state) => runStates.push(state),
      },
    },
  });
  actor.start();
  const started = () => calls.filter((c) => c.startsWith('start ')).map((c) => c.slice(6));
  return { actor, calls, runStates, nodeStates, reasons, started, nodes: () => actor.getSnapshot().context.nodes };
}

describe('run machine', () => {
  it('starts nodes when their inputs are done, in parallel up to the limits, and succeeds when all have', () => {
    const r = start(diamond());
    expect(r.started()).toEqual(['a']);
    r.actor.send({ type: 'NODE_SUCCEEDED', nodeId: 'a' });
    expect(r.started()).toEqual(['a', 'b', 'c']);
    r.actor.send({ type: 'NODE_SUCCEEDED', nodeId: 'b' });
    expect(r.started()).not.toContain('d');
    r.actor.send({ type: 'NODE_SUCCEEDED', nodeId: 'c' });
    expect(r.started()).toEqual(['a', 'b', 'c', 'd']);
    r.actor.send({ type: 'NODE_SUCCEEDED', nodeId: 'd' });
    expect(r.runStates).toEqual(['running', 'succeeded']);
    expect(r.actor.getSnapshot().status).toBe('done');
  });

  it('runs one heavy node at a time and respects the overall limit', () => {
    const heavy = start(diamond(true));
    heavy.actor.send({ type: 'NODE_SUCCEEDED', nodeId: 'a' });
    expect(heavy.started()).toEqual(['a', 'b']);
    heavy.actor.send({ type: 'NODE_SUCCEEDED', nodeId: 'b' });
    expect(heavy.started()).toEqual(['a', 'b', 'c']);

    const narrow = start(diamond(), { limits: { maxConcurrent: 1 } });
    narrow.actor.send({ type: 'NODE_SUCCEEDED', nodeId: 'a' });
    expect(narrow.started()).toEqual(['a', 'b']);
  });

  it('answers cached nodes without starting them, in the same pass as what they unblock', () => {
    const r = start(diamond(), { cached: ['a', 'b'] });
    expect(r.started()).toEqual(['c']);
    expect(r.nodes()).toMatchObject({ a: 'cached', b: 'cached', c: 'running', d: 'queued' });
    r.actor.send({ type: 'NODE_SUCCEEDED', nodeId: 'c' });
    r.actor.send({ type: 'NODE_SUCCEEDED', nodeId: 'd' });
    expect(r.runStates.at(-1)).toBe('succeeded');
  });

  it('skips what depends on a failed node, finishes the other branch, and fails the run', () => {
    const r = start(diamond());
    r.actor.send({ type: 'NODE_SUCCEEDED', nodeId: 'a' });
    r.actor.send({ type: 'NODE_FAILED', nodeId: 'b', error: 'boom' });
    expect(r.nodes()).toMatchObject({ b: 'failed', d: 'skipped', c: 'running' });
    expect(r.runStates.at(-1)).toBe('running');
    r.actor.send({ type: 'NODE_SUCCEEDED', nodeId: 'c' });
    expect(r.nodeStates.d).toEqual(['skipped']);
    expect(r.runStates.at(-1)).toBe('failed');
  });

  it('skips every node downstream of a failure, however far (found from the direct edges)', () => {
    const chain: RunPlan = { order: ['a', 'b', 'c', 'd'], upstream: { a: [], b: ['a'], c: ['b'], d: [] }, downstream: { a: ['b'], b: ['c'], c: [], d: [] }, heavy: {} };
    const r = start(chain);
    expect(r.started()).toEqual(['a', 'd']);
    r.actor.send({ type: 'NODE_FAILED', nodeId: 'a', error: 'boom' });
    expect(r.nodes()).toMatchObject({ a: 'failed', b: 'skipped', c: 'skipped', d: 'running' });
  });

  it('starts nothing new while paused and catches up on resume', () => {
    const r = start(diamond());
    r.actor.send({ type: 'PAUSE' });
    r.actor.send({ type: 'NODE_SUCCEEDED', nodeId: 'a' });
    expect(r.started()).toEqual(['a']);
    expect(r.calls).toContain('pause');
    r.actor.send({ type: 'RESUME' });
    expect(r.calls).toContain('resume');
    expect(r.started()).toEqual(['a', 'b', 'c']);
    expect(r.runStates).toEqual(['running', 'paused', 'running']);
  });

  it('on cancel, cancels what is queued, aborts what runs, and ends cancelled once those stop', () => {
    const r = start(diamond());
    r.actor.send({ type: 'NODE_SUCCEEDED', nodeId: 'a' });
    r.actor.send({ type: 'CANCEL' });
    expect(r.calls.filter((c) => c.startsWith('abort'))).toEqual(['abort b', 'abort c']);
    expect(r.nodes().d).toBe('cancelled');
    r.actor.send({ type: 'NODE_CANCELLED', nodeId: 'b' });
    expect(r.actor.getSnapshot().status).toBe('active');
    r.actor.send({ type: 'NODE_CANCELLED', nodeId: 'c' });
    expect(r.runStates.at(-1)).toBe('cancelled');
  });

  it('pickReady changes nothing it is given', () => {
    const nodes: Record<string, NodeState> = { a: 'succeeded', b: 'queued', c: 'queued', d: 'queued' };
    const frozen = structuredClone(nodes);
    const picked = pickReady({ nodes, plan: diamond(), limits: { maxConcurrent: 4, maxHeavy: 1 }, isCached: (id) => id === 'b' });
    expect(picked).toEqual({ cached: ['b'], start: ['c'], skipped: [] });
    expect(nodes).toEqual(frozen);
  });

  it('a closed gate succeeds, skips everything downstream with its reason, lets the other branch run, and the run succeeds', () => {
    const r = start(diamond());
    r.actor.send({ type: 'NODE_SUCCEEDED', nodeId: 'a' });
    r.actor.send({ type: 'NODE_CLOSED', nodeId: 'b', reason: 'perplexity 31.2 is 4.1% above 30.0 (allowed 2%)' });
    expect(r.nodes()).toMatchObject({ b: 'succeeded', c: 'running', d: 'skipped' });
    expect(r.reasons.d).toBe('skipped: gate "b" closed: perplexity 31.2 is 4.1% above 30.0 (allowed 2%)');
    expect(r.reasons.b).toBeUndefined();
    r.actor.send({ type: 'NODE_SUCCEEDED', nodeId: 'c' });
    expect(r.started()).not.toContain('d');
    expect(r.runStates).toEqual(['running', 'succeeded']);
  });

  it('a failure beside a closed gate still fails the run', () => {
    const r = start(diamond());
    r.actor.send({ type: 'NODE_SUCCEEDED', nodeId: 'a' });
    r.actor.send({ type: 'NODE_CLOSED', nodeId: 'b', reason: 'x' });
    r.actor.send({ type: 'NODE_FAILED', nodeId: 'c', error: 'boom' });
    expect(r.runStates.at(-1)).toBe('failed');
  });

  it('a cached gate replays its decision: what it closed is skipped again, in the same pass', () => {
    const r = start(diamond(), { cached: ['a', 'b'], cachedClosed: { b: 'loss 3 > 2' } });
    expect(r.started()).toEqual(['c']);
    expect(r.nodes()).toMatchObject({ a: 'cached', b: 'cached', d: 'skipped' });
    expect(r.reasons.d).toBe('skipped: gate "b" closed: loss 3 > 2');
    r.actor.send({ type: 'NODE_SUCCEEDED', nodeId: 'c' });
    expect(r.runStates.at(-1)).toBe('succeeded');
  });

  it('an open gate (cached or not) changes nothing downstream', () => {
    const r = start(diamond(), { cached: ['a', 'b'], cachedClosed: {} });
    r.actor.send({ type: 'NODE_SUCCEEDED', nodeId: 'c' });
    expect(r.started()).toEqual(['c', 'd']);
  });
});
