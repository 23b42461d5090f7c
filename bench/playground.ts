/**
 * Playground speed: first-token latency and tokens/s of streamed generation through the engine
 * (worker process, KV cache), for untrained GPTs the size of the examples' and larger.
 *   npx tsx bench/playground.ts [workspace-with-trained-models]
 * With a workspace, it also measures every model found there. Figures only; nothing is asserted.
 */
import { openDefaultHost } from '../src-main/host/default-host.ts';
import type { WeftHost } from '../src-main/host/weft-host.ts';
import { generateToEnd, graphOf, tempDir } from '../test/helpers.ts';

async function measure(engine: WeftHost, runId: string, nodeId: string, label: string) {
  const settings = { maxTokens: 200, temperature: 0.8, topK: 40, topP: 0.95, seed: 1 };
  // The first request loads the model into the playground's worker; the second shows steady state.
  for (const round of ['cold', 'warm']) {
    const { text, end } = await generateToEnd(engine, { runId, nodeId, mode: 'complete', prompt: 'Call me Ishmael.', settings });
    if (end.error) throw new Error(end.error);
    const s = end.stats;
    console.log(`${label.padEnd(44)} ${round}: first token ${String(s.firstTokenMs).padStart(5)} ms, ${s.tokensPerSecond.toFixed(1).padStart(6)} tokens/s (${s.tokens} tokens, ${s.backend})${round === 'warm' ? `  “${text.slice(0, 60).replace(/\s+/g, ' ')}…”` : ''}`);
  }
}

const sizes = [
  { name: 'examples size: 3 layers, width 128, ctx 128', layers: 3, heads: 4, width: 128, context: 128 },
  { name: '6 layers, width 256, ctx 256', layers: 6, heads: 8, width: 256, context: 256 },
];

const workspace = tempDir('weft-bench-playground-');
const engine = await openDefaultHost(workspace);
try {
  for (const s of sizes) {
    const graph = graphOf(
      [
        { id: 'tok', type: 'tokenizer', params: { kind: 'byte-level' } },
        { id: 'model', type: 'model', params: { layers: s.layers, heads: s.heads, width: s.width, context: s.context } },
      ],
      [['tok', 'tokenizer', 'model', 'tokenizer']],
    );
    const { runId } = await engine.startRun({ graph });
    const run = await engine.waitForRun(runId);
    if (run.state !== 'succeeded') throw new Error(`could not make the model: ${JSON.stringify(run.nodes.model)}`);
    await measure(engine, runId, 'model', `untrained, ${s.name}`);
  }
} finally {
  await engine.close();
}

const trained = process.argv[2];
if (trained) {
  const other = await openDefaultHost(trained);
  try {
    for (const m of (await other.listModels()).filter((x) => x.causal && !x.classifier)) await measure(other, m.runId, m.nodeId, `${m.graphName}: ${m.label} (${(m.parameters / 1e6).toFixed(2)} M)`);
  } finally {
    await other.close();
  }
}
