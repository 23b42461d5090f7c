/**
 * The real other side: transformers and PEFT load what Weft writes (every family, causal LM and
 * classifier, and the LoRA adapter) with no missing, unexpected or mismatched keys and the same
 * logits. Needs Python with torch, transformers and peft: .ci/run makes that venv and sets
 * WEFT_REF_PYTHON (see ENVIRONMENT.md); without it this file says so and checks nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const python = process.env.WEFT_REF_PYTHON;

describe.runIf(python && existsSync(python))('transformers and PEFT load what Weft writes', () => {
  it('every family: causal LM, classifier, one-label reward model and PEFT adapter, same logits within 1e-4', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/transformers-interop.ts'], { cwd: ROOT, encoding: 'utf8', env: process.env, timeout: 240_000 });
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('{') || l.startsWith('FAILED'));
    expect(lines.filter((l) => l.startsWith('FAILED')), r.stderr.slice(-2000)).toEqual([]);
    const results = lines.map((l) => JSON.parse(l) as { class: string; num_labels?: number | null; loading_problems?: Record<string, unknown>; max_abs_diff: number });
    expect(results).toHaveLength(24);
    expect(new Set(results.map((x) => x.class))).toEqual(
      new Set(['GPT2LMHeadModel', 'GPT2ForSequenceClassification', 'LlamaForCausalLM', 'LlamaForSequenceClassification', 'MistralForCausalLM', 'MistralForSequenceClassification', 'Qwen2ForCausalLM', 'Qwen2ForSequenceClassification', 'Qwen3ForCausalLM', 'Qwen3ForSequenceClassification']),
    );
    // One reward model (num_labels 1) per fixture, beside the 3-class classifier.
    expect(results.filter((x) => x.num_labels === 1)).toHaveLength(6);
    for (const x of results) {
      expect(x.loading_problems ?? {}).toEqual({});
      expect(x.max_abs_diff).toBeLessThan(1e-4);
    }
  }, 300_000);
});
