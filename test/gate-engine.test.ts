/**
 * A gate through the engine with the real node types: a tiny model is evaluated, a gate on its
 * perplexity closes (the sampler after it is skipped with the reason, the run succeeds) or opens
 * (the sampler runs), and a cached gate replays its decision.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../nodes/sdk/index.ts';
import { openDefaultHost } from '../src-main/host/default-host.ts';
import type { WeftHost } from '../src-main/host/weft-host.ts';
import { graphOf, tempDir } from './helpers.ts';

const engines: WeftHost[] = [];
afterAll(async () => Promise.all(engines.map((e) => e.close())));

function gatedGraph(gate: Record<string, unknown>) {
  return graphOf(
    [
      { id: 'corpus', type: 'dataset.builtin', params: { corpus: 'moby-dick', maxRecords: 12 } },
      { id: 'split', type: 'data.split', params: { validation: 0.3 } },
      { id: 'tok', type: 'tokenizer', params: { kind: 'byte-level' } },
      { id: 'model', type: 'model', version: 2, params: { source: 'new', architecture: 'gpt2', layers: 1, heads: 2, width: 32, context: 32, dropout: 0 } },
      { id: 'evaluate', type: 'eval', params: { metric: 'perplexity', maxTokens: 1000, batchSize: 8 } },
      { id: 'ppl-check', type: 'gate', params: gate },
      { id: 'sample', type: 'generate', params: { maxTokens: 4, samples: 1 } },
      { id: 'after', type: 'gate', params: { metric: 'passed', comparison: '>=', threshold: 0 } },
    ],
    [
      ['corpus', 'dataset', 'split', 'dataset'],
      ['tok', 'tokenizer', 'model', 'tokenizer'],
      ['model', 'model', 'evaluate', 'model'],
      ['split', 'dataset', 'evaluate', 'dataset'],
      ['evaluate', 'metrics', 'ppl-check', 'metrics'],
      ['model', 'model', 'ppl-check', 'model'],
      ['ppl-check', 'model', 'sample', 'model'],
      ['ppl-check', 'decision', 'after', 'metrics'],
      ['ppl-check', 'model', 'after', 'model'],
    ],
  );
}

async function host() {
  const engine = await openDefaultHost(tempDir());
  engines.push(engine);
  const events: EngineEvent[] = [];
  engine.subscribe((e) => events.push(e));
  return { engine, events };
}

describe('gate through the engine', () => {
  it('a closed gate skips everything after it with the reason, the run succeeds, and a cached gate replays the decision', async () => {
    const { engine, events } = await host();
    // An untrained model over 256+ byte tokens has a perplexity in the hundreds: far above 2.
    const graph = gatedGraph({ metric: 'perplexity', comparison: '<=', threshold: 2 });
    const run = await engine.waitForRun((await engine.startRun({ graph })).runId);
    expect(run.state, JSON.stringify(run.nodes, null, 1).slice(0, 3000)).toBe('succeeded');
    const ppl = run.nodes.evaluate!.metrics!.perplexity!;
    expect(ppl).toBeGreaterThan(2);
    const gate = run.nodes['ppl-check']!;
    expect(gate.state).toBe('succeeded');
    expect(gate.metrics).toMatchObject({ passed: 0, bound: 2 });
    expect(gate.closed).toMatch(/^perplexity \d+(\.\d+)? is not <= 2$/);
    for (const id of ['sample', 'after']) {
      expect(run.nodes[id]!.state).toBe('skipped');
      expect(run.nodes[id]!.error).toBe(`skipped: gate "ppl-check" closed: ${gate.closed}`);
    }
    // The reason reaches whoever follows the events (the editor, `weft run`).
    const skippedEvent = events.find((e) => e.type === 'node-state' && e.nodeId === 'sample' && e.state === 'skipped');
    expect(skippedEvent && 'error' in skippedEvent && skippedEvent.error).toBe(`skipped: gate "ppl-check" closed: ${gate.closed}`);
    const gateEvent = events.find((e) => e.type === 'node-state' && e.nodeId === 'ppl-check' && e.state === 'succeeded');
    expect(gateEvent && 'closed' in gateEvent && gateEvent.closed).toBe(gate.closed);
    // The record on disk says the same.
    const stored = await engine.getRun(run.id);
    expect(stored!.nodes.sample!.error).toBe(run.nodes.sample!.error);

    const again = await engine.waitForRun((await engine.startRun({ graph })).runId);
    expect(again.state).toBe('succeeded');
    expect(again.nodes['ppl-check']!.state).toBe('cached');
    expect(again.nodes['ppl-check']!.closed).toBe(gate.closed);
    expect(again.nodes.sample!.state).toBe('skipped');
    expect(again.nodes.sample!.error).toBe(run.nodes.sample!.error);

    // Replay executes every node again from the recorded graph and seed: the same metrics, the same decision.
    const replayed = await engine.waitForRun((await engine.replayRun(run.id)).runId);
    expect(replayed.state).toBe('succeeded');
    expect(replayed.nodes['ppl-check']!.state).toBe('succeeded');
    expect(replayed.nodes['ppl-check']!.closed).toBe(gate.closed);
    expect(replayed.nodes.sample!.state).toBe('skipped');
  });

  it('an open gate passes the model on and what follows runs', async () => {
    const { engine } = await host();
    const run = await engine.waitForRun((await engine.startRun({ graph: gatedGraph({ metric: 'perplexity', comparison: '<=', threshold: 1e9 }) })).runId);
    expect(run.state, JSON.stringify(run.nodes, null, 1).slice(0, 3000)).toBe('succeeded');
    expect(run.nodes['ppl-check']!.closed).toBeUndefined();
    expect(run.nodes.sample!.state).toBe('succeeded');
    expect(run.nodes.after!.state).toBe('succeeded');
    expect(run.nodes.sample!.outputs).toBeDefined();
  });
}, 240_000);
