/**
 * Figures for the after-training nodes on tiny models (seconds to minutes on a laptop CPU):
 *  - Continue training: forgetting (old-set loss increase) and gain (new-set loss decrease) by replay share;
 *  - Prune: perplexity before, after pruning and after a recovery fine-tune, by method and sparsity.
 * Run: npx tsx bench/after-training.ts [steps=60]
 */
import trainContinue from '../nodes/train.continue/index.ts';
import prune from '../nodes/prune/index.ts';
import { fakeContext, paramsFor, runNode } from '../test/fixtures/node-harness.ts';
import { digitsText, textFile, trainedTinyModel, wordsText } from '../test/fixtures/tiny-lm.ts';

const steps = Number(process.argv[2] ?? 60);
const f = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(3));

const base = await trainedTinyModel('gpt2', wordsText(4000), 100);
const oldText = textFile(wordsText(4000, 7));
const newText = textFile(digitsText(4000));
console.log(`continue training, gpt2 tiny, ${steps} steps on digits after words (loss in nats/token)`);
console.log('replay  oldBefore  oldAfter  forgetting  newBefore  newAfter  gain');
for (const replayShare of [0, 0.1, 0.25, 0.5]) {
  const r = await runNode(trainContinue, { model: base, newText, oldText }, paramsFor(trainContinue, { replayShare, steps, batchSize: 8, evalEvery: steps, evalWindows: 8, checkpointEvery: 0 }), fakeContext());
  const m = r.metrics!;
  console.log(`${replayShare.toFixed(2).padEnd(7)} ${f(m.oldLossBefore).padEnd(10)} ${f(m.oldLossAfter).padEnd(9)} ${f(m.forgetting).padEnd(11)} ${f(m.newLossBefore).padEnd(10)} ${f(m.newLossAfter).padEnd(9)} ${f(m.gain)}`);
}

const llama = await trainedTinyModel('llama', wordsText(5000), 100);
const text = textFile(wordsText(5000, 9));
console.log(`\nprune, llama tiny (2 layers, width 32, 4 heads / 2 kv heads, MLP 64), recovery ${steps / 2} steps`);
console.log('method            sparsity  params  nonzero  pplBefore  pplPruned  pplRecovered');
for (const [method, sparsity] of [['unstructured', 0.5], ['unstructured', 0.8], ['mlp-neurons', 0.5], ['attention-heads', 0.5]] as const) {
  const r = await runNode(prune, { model: llama, text }, paramsFor(prune, { method, sparsity, recoverySteps: steps / 2, batchSize: 8, evalWindows: 8, checkpointEvery: 0 }), fakeContext());
  const m = r.metrics!;
  console.log(`${method.padEnd(17)} ${sparsity.toFixed(2).padEnd(9)} ${String(m.parameters).padEnd(7)} ${String(m.nonZeroParameters).padEnd(8)} ${f(m.perplexityBefore).padEnd(10)} ${f(m.perplexityAfterPruning).padEnd(10)} ${f(m.perplexityAfterRecovery)}`);
}
