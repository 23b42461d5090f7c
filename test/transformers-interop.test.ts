/**
 * The real other side: transformers and PEFT load what Weft writes (every family, causal LM and
 * classifier, masked-LM encoders as BertForMaskedLM / BertForSequenceClassification, and the LoRA adapter) with no missing, unexpected or mismatched keys and the same
 * logits. Needs Python with torch, transformers and peft: .ci/run makes that venv and sets
 * WEFT_REF_PYTHON (see ENVIRONMENT.md); without it this file says so and checks nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const python = process.env.WEFT_REF_PYTHON;

describe.runIf(python && existsSync(python))('transformers and PEFT load what Weft writes', () => {
  it('every family: causal LM, classifier, one-label reward model and PEFT adapter; BERT and RoBERTa masked LM and classifier; same logits within 1e-4', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/transformers-interop.ts'], { cwd: ROOT, encoding: 'utf8', env: process.env, timeout: 240_000 });
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('{') || l.startsWith('FAILED'));
    expect(lines.filter((l) => l.startsWith('FAILED')), r.stderr.slice(-2000)).toEqual([]);
    const all = lines.map((l) => JSON.parse(l) as { class: string; folder?: string; tokenizer?: string; num_labels?: number | null; loading_problems?: Record<string, unknown>; max_abs_diff: number; same_ids?: boolean; mask_token_ok?: boolean });
    // The masked-LM encoders: per BERT/RoBERTa masked-LM fixture a merged LoRA model, its adapter, a classifier and its
    // SEQ_CLS adapter; the BERT classifier fixture saved back; a new Weft BERT and its tokenizer read by AutoTokenizer.
    const encoders = all.filter((x) => x.folder?.includes('weft-encoder-') || x.tokenizer?.includes('weft-encoder-') || /^(Bert|Roberta)For/.test(x.class));
    expect(encoders).toHaveLength(11);
    expect(new Set(encoders.map((x) => x.class))).toEqual(new Set(['BertForMaskedLM', 'BertForSequenceClassification', 'RobertaForMaskedLM', 'RobertaForSequenceClassification', 'TokenizersBackend']));
    expect(encoders.filter((x) => x.tokenizer)).toEqual([expect.objectContaining({ same_ids: true, mask_token_ok: true })]);
    for (const x of encoders) {
      expect(x.loading_problems ?? {}).toEqual({});
      expect(x.max_abs_diff).toBeLessThan(1e-4);
    }
    const results = all.filter((x) => !encoders.includes(x));
    // Per decoder fixture (7, the Llama 2 SentencePiece one among them): 3 folders of the family, a
    // structurally pruned one and a one-label reward model.
    expect(results).toHaveLength(35);
    // One structurally pruned folder per fixture (MLP neurons; heads too in the Llama family), GPT-2 and Llama among them.
    const pruned = results.filter((x) => x.folder?.includes('weft-pruned-'));
    expect(pruned).toHaveLength(7);
    expect(pruned.map((x) => x.class)).toEqual(expect.arrayContaining(['GPT2LMHeadModel', 'LlamaForCausalLM', 'MistralForCausalLM', 'Qwen2ForCausalLM', 'Qwen3ForCausalLM']));
    expect(new Set(results.map((x) => x.class))).toEqual(
      new Set(['GPT2LMHeadModel', 'GPT2ForSequenceClassification', 'LlamaForCausalLM', 'LlamaForSequenceClassification', 'MistralForCausalLM', 'MistralForSequenceClassification', 'Qwen2ForCausalLM', 'Qwen2ForSequenceClassification', 'Qwen3ForCausalLM', 'Qwen3ForSequenceClassification']),
    );
    // One reward model (num_labels 1) per fixture, beside the 3-class classifier.
    expect(results.filter((x) => x.num_labels === 1)).toHaveLength(7);
    for (const x of results) {
      expect(x.loading_problems ?? {}).toEqual({});
      expect(x.max_abs_diff).toBeLessThan(1e-4);
    }
  }, 300_000);

  it('a reward model trained by the Reward model node scores its held-out texts the same in transformers (num_labels 1, right padding)', async () => {
    const { default: trainRm } = await import('../nodes/train.rm/index.ts');
    const { fakeContext, paramsFor, runNode } = await import('./fixtures/node-harness.ts');
    const { PreferencesWriter } = await import('../nodes/lib/align/preferences.ts');
    const { openModelInput } = await import('../nodes/lib/model-input.ts');
    const { encodeSplits } = await import('../nodes/lib/align/pair-run.ts');
    const { rewardPadId, rewardsOf } = await import('../nodes/lib/align/reward.ts');
    const jobs: Array<Record<string, unknown>> = [];
    const roots: Array<{ cleanup(): void }> = [];
    for (const family of ['gpt2-relu', 'qwen3']) {
      const ctx = fakeContext();
      roots.push(ctx);
      const w = new PreferencesWriter(ctx.root);
      for (let i = 0; i < 6; i++) await w.write('train', { prompt: [{ role: 'user', content: `Rate ${i}` }], chosen: 'Great!', rejected: 'Bad.' });
      await w.write('validation', { prompt: [{ role: 'user', content: 'Rate it' }], chosen: 'Great, really!', rejected: 'Bad.' });
      await w.write('validation', { prompt: 'Plain prompt:', chosen: ' yes', rejected: ' no' });
      const prefs = await w.close();
      const result = await runNode(trainRm, { model: { kind: 'model', dir: join(ROOT, 'test/fixtures/hf', family) }, preferences: prefs }, paramsFor(trainRm, { steps: 2, batchSize: 2, checkpointEvery: 0 }), ctx);
      const rm = await openModelInput(result.outputs.model as { dir: string });
      try {
        const { validation } = await encodeSplits(prefs, rm, rm.config.contextLength, 10, fakeContext());
        const seqs = validation!.flatMap((p) => [p.chosen.ids, p.rejected.ids]);
        const T = Math.max(...seqs.map((s) => s.length));
        const pad = rewardPadId(rm.config, rm.tok);
        const scores = await rewardsOf(rm.params, rm.config, seqs, pad, 8);
        seqs.forEach((ids, i) => {
          const file = join(ctx.root, `score-${i}.json`);
          writeFileSync(file, JSON.stringify([scores[i]]));
          jobs.push({ model: rm.dir, ids: [...ids, ...new Array<number>(T - ids.length).fill(pad)], weft: file });
        });
      } finally {
        rm.dispose();
      }
    }
    const jobsFile = join(fakeContext().root, 'jobs.json');
    writeFileSync(jobsFile, JSON.stringify(jobs));
    const r = spawnSync(python!, [join(ROOT, 'test/fixtures/hf/check_interop.py'), jobsFile], { encoding: 'utf8', timeout: 240_000 });
    roots.forEach((c) => c.cleanup());
    const results = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { class: string; num_labels: number; loading_problems: object; max_abs_diff: number });
    expect(results, r.stdout + r.stderr.slice(-2000)).toHaveLength(jobs.length);
    for (const x of results) {
      expect(x.class).toMatch(/ForSequenceClassification$/);
      expect(x.num_labels).toBe(1);
      expect(x.loading_problems).toEqual({});
      expect(x.max_abs_diff).toBeLessThan(1e-4);
    }
  }, 300_000);
});
