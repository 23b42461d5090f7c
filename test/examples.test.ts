/**
 * The examples, shortened to seconds, run end to end through the engine with the real node types.
 * They assert the direction a user cares about: the loss falls below the unigram baseline, samples come out.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogueOf } from '../nodes/sdk/index.ts';
import { nodeRegistry } from '../nodes/index.ts';
import { applyOverrides } from '../src-main/cli/overrides.ts';
import { openDefaultEngine } from '../src-main/engine/default-engine.ts';
import type { Engine } from '../src-main/engine/engine.ts';
import { readGraphFile } from '../src-main/store/graph-files.ts';
import { tempDir } from './helpers.ts';

const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));
const engines: Engine[] = [];
afterAll(async () => Promise.all(engines.map((e) => e.close())));

async function runExample(file: string, sets: string[]) {
  const path = join(EXAMPLES, file);
  const graph = applyOverrides(await readGraphFile(path), sets, catalogueOf(nodeRegistry));
  const engine = await openDefaultEngine(tempDir());
  engines.push(engine);
  const { runId } = await engine.startRun({ graph, graphDir: dirname(path) });
  return engine.waitForRun(runId);
}

describe('examples (shortened)', () => {
  it('pretrain-moby-dick: validation loss falls below the unigram baseline and samples come out', async () => {
    const run = await runExample('pretrain-moby-dick.weft.json', [
      'corpus.maxRecords=40',
      'tokenizer.vocabSize=384',
      'model.width=64',
      'model.layers=2',
      'model.context=64',
      'train.steps=120',
      'train.batchSize=8',
      'train.evalEvery=30',
      'train.evalBatches=4',
      'train.checkpointEvery=30',
      'schedule.warmupSteps=10',
      'schedule.lr=0.006',
      'evaluate.maxTokens=4000',
      'sample.maxTokens=20',
      'sample.samples=1',
    ]);
    expect(run.state, JSON.stringify(run.nodes, null, 1).slice(0, 2000)).toBe('succeeded');
    const train = run.nodes.train!.metrics!;
    expect(train.valLoss).toBeLessThan(train.unigramBaseline!);
    expect(run.nodes.evaluate!.metrics!.loss).toBeLessThan(run.nodes.evaluate!.metrics!.unigramBaseline!);
    const table = JSON.parse(readFileSync(join(run.nodes.evaluate!.artifactDir!, 'samples.json'), 'utf8')) as Array<{ prompt: string; continuation: string }>;
    expect(table).toHaveLength(3);
    expect(table.every((r) => r.prompt.length > 0 && r.continuation.length > 0)).toBe(true);
    expect(run.backends.length).toBeGreaterThan(0);
    const samples = JSON.parse(readFileSync(join(run.nodes.sample!.artifactDir!, 'samples.json'), 'utf8')) as string[];
    expect(samples[0]!.startsWith('Call me Ishmael. ')).toBe(true);
    expect(samples[0]!.length).toBeGreaterThan('Call me Ishmael. '.length);
    const modelDir = (run.nodes.train!.outputs!.model as { dir: string }).dir;
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json']) expect(readFileSync(join(modelDir, f)).length).toBeGreaterThan(10);
  }, 240_000);

  it('chat-sft: exact match on held-out prompts rises after fine-tuning on response tokens', async () => {
    // Three-letter words and a compact template keep sequences short, so this runs in a few minutes on 2 cores.
    const compact = "{% for message in messages %}{{ message['content'] }}{% endfor %}{% if add_generation_prompt %} = {% endif %}";
    const run = await runExample('chat-sft.weft.json', [
      'pre_data.count=4000',
      'pre_data.maxWordLength=3',
      'task.count=1500',
      'task.maxWordLength=3',
      `task_chat.template=${compact}`,
      'model.layers=2',
      'model.width=64',
      'model.context=32',
      'pretrain.steps=300',
      'pretrain.batchSize=32',
      'sft.steps=150',
      'sft.batchSize=32',
      'schedule.lr=0.01',
      'before.maxExamples=40',
      'after.maxExamples=40',
    ]);
    expect(run.state, JSON.stringify(run.nodes, null, 1).slice(0, 2000)).toBe('succeeded');
    const before = run.nodes.before!.metrics!.exactMatch!;
    const after = run.nodes.after!.metrics!.exactMatch!;
    expect(before).toBeLessThan(0.1);
    expect(after).toBeGreaterThan(before);
    expect(after).toBeGreaterThanOrEqual(0.2);
  }, 300_000);

  it('classify-spam: test accuracy beats the majority class', async () => {
    const run = await runExample('classify-spam.weft.json', [
      'emails.maxRecords=1200',
      'tokenizer.vocabSize=512',
      'model.context=64',
      'finetune.steps=80',
      'finetune.evalEvery=40',
    ]);
    expect(run.state, JSON.stringify(run.nodes, null, 1).slice(0, 2000)).toBe('succeeded');
    const m = run.nodes.test!.metrics!;
    expect(m.accuracy).toBeGreaterThan(m.majorityBaseline! + 0.05);
    const confusion = JSON.parse(readFileSync(join(run.nodes.test!.artifactDir!, 'confusion.json'), 'utf8'));
    expect(confusion.labels).toEqual(['ham', 'spam']);
  }, 300_000);
});
