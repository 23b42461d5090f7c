/**
 * The examples, shortened to seconds, run end to end through the engine with the real node types.
 * They assert the direction a user cares about: the loss falls below the unigram baseline, samples come out.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogueOf } from '../nodes/sdk/index.ts';
import type { DatasetHandle } from '../nodes/lib/dataset.ts';
import { nodeRegistry } from '../nodes/index.ts';
import { applyOverrides } from '../src-main/cli/overrides.ts';
import { openDefaultHost } from '../src-main/host/default-host.ts';
import type { WeftHost } from '../src-main/host/weft-host.ts';
import { readGraphFile } from '../src-main/store/graph-files.ts';
import { generateToEnd, tempDir } from './helpers.ts';

const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));
const engines: WeftHost[] = [];
afterAll(async () => Promise.all(engines.map((e) => e.close())));

async function runExample(file: string, sets: string[]) {
  const path = join(EXAMPLES, file);
  const graph = applyOverrides(await readGraphFile(path), sets, catalogueOf(nodeRegistry));
  const engine = await openDefaultHost(tempDir());
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

    // The playground answers a held-out prompt exactly as evaluation measured: same chat format, same greedy tokens.
    const engine = engines.at(-1)!;
    const models = await engine.listModels();
    expect(models.find((m) => m.runId === run.id && m.nodeId === 'sft')).toMatchObject({ chat: true, causal: true, classifier: false });
    expect(models.find((m) => m.runId === run.id && m.nodeId === 'model')).toMatchObject({ chat: false });
    const table = JSON.parse(readFileSync(join(run.nodes.after!.artifactDir!, 'samples.json'), 'utf8')) as Array<{ prompt: string; got: string }>;
    const maxTokens = Number(run.graph.nodes.find((n) => n.id === 'after')!.params.maxNewTokens);
    for (const row of table.slice(0, 4)) {
      expect(row.prompt.endsWith(' = ')).toBe(true);
      const messages = [{ role: 'user' as const, content: row.prompt.slice(0, -3) }];
      const { text, end } = await generateToEnd(engine, { runId: run.id, nodeId: 'sft', mode: 'chat', messages, settings: { maxTokens, temperature: 0, topK: 0, topP: 1, seed: 0, stop: ['\n'] } });
      expect(end.error).toBeUndefined();
      expect(text.trim()).toBe(row.got);
    }
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

    // The playground labels held-out e-mails as the evaluation does: same encoding, same head.
    const engine = engines.at(-1)!;
    expect((await engine.listModels()).find((m) => m.runId === run.id && m.nodeId === 'finetune')).toMatchObject({ classifier: true });
    const { readAll } = await import('../nodes/lib/dataset.ts');
    const rows = (await readAll(run.nodes.split!.outputs!.dataset as DatasetHandle, 'test')).slice(0, 8).map((r) => ({ text: String(r.text) }));
    const modelDir = (run.nodes.finetune!.outputs!.model as { dir: string }).dir;
    const { loadModelFolder } = await import('../nodes/lib/gpt/io.ts');
    const { TextTokenizer, EOS } = await import('../nodes/lib/tokenizer.ts');
    const { encodeForClassifier } = await import('../nodes/lib/classify-input.ts');
    const { predict } = await import('../nodes/lib/train/classifier-trainer.ts');
    const { config, params } = loadModelFolder(modelDir);
    const tok = TextTokenizer.fromFile(join(modelDir, 'tokenizer.json'));
    const expected = await predict({ config, params, padId: tok.specials[EOS] ?? 0, batchSize: 8 }, await encodeForClassifier(tok, rows.map((r) => r.text), config.contextLength, 0));
    for (let i = 0; i < rows.length; i++) {
      const { end } = await generateToEnd(engine, { runId: run.id, nodeId: 'finetune', mode: 'classify', prompt: rows[i]!.text, settings: { maxTokens: 1, temperature: 0, topK: 0, topP: 1, seed: 0 } });
      expect(end.error).toBeUndefined();
      expect(end.stats.prediction!.labels![0]!.label).toBe(config.labels![expected[i]!]);
    }
  }, 300_000);
});
