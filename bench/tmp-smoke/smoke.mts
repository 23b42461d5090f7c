import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getLlama } from 'node-llama-cpp';
import { loadModelFolder } from '/work/wt-gguf/nodes/lib/gpt/io.ts';
import { writeModelGguf } from '/work/wt-gguf/nodes/lib/gguf/export.ts';
const F = '/work/wt-gguf/test/fixtures/hf';
const llama = await getLlama({ gpu: false, build: 'never' });
for (const fam of process.argv.slice(2)) {
  const dir = join(F, fam);
  const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));
  const { config, params } = loadModelFolder(dir);
  for (const type of ['F32', 'F16', 'Q8_0', 'Q4_0'] as const) {
    const out = `/tmp/gg/${fam}-${type}.gguf`;
    try {
      const r = await writeModelGguf(params, config, join(dir, 'tokenizer.json'), out, type);
      const model = await llama.loadModel({ modelPath: out });
      const ctx = await model.createContext({ contextSize: 64, flashAttention: false, experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32' } as any);
      const seq = ctx.getSequence();
      const got: number[] = [];
      for await (const t of seq.evaluate(ref.input_ids, { temperature: 0, yieldEogToken: true } as any)) { got.push(t as number); if (got.length >= ref.greedy.length) break; }
      // agreement: feed reference tokens
      const all = [...ref.input_ids, ...ref.greedy];
      const seq2 = (await ctx.dispose(), await model.createContext({ contextSize: 64, flashAttention: false, experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32' } as any)).getSequence();
      const res = await seq2.controlledEvaluate(all.map((t, i) => i >= ref.input_ids.length - 1 ? [t, { generateNext: { token: true, options: { temperature: 0 } } }] : t) as any);
      let agree = 0, n = 0;
      for (let i = ref.input_ids.length - 1; i < all.length - 1; i++) { n++; if (res[i]?.next?.token === all[i + 1]) agree++; }
      console.log(fam, type, r.bytes, JSON.stringify(r.typeCounts), 'greedy', JSON.stringify(got), 'ref', JSON.stringify(ref.greedy), 'agree', agree, '/', n);
      await model.dispose();
    } catch (e) { console.log(fam, type, 'ERR', (e as Error).message); }
  }
}
