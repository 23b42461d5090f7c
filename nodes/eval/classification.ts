/** Accuracy, macro F1 and confusion matrix of a model with a classification head, beside the majority-class baseline. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeContext } from '../sdk/index.ts';
import type { DatasetHandle, SplitName } from '../lib/dataset.ts';
import { readAll } from '../lib/dataset.ts';
import type { GptConfig } from '../lib/gpt/config.ts';
import type { Params } from '../lib/gpt/model.ts';
import { encodeForClassifier } from '../lib/classify-input.ts';
import { predict, report } from '../lib/train/classifier-trainer.ts';
import { EOS, type TextTokenizer } from '../lib/tokenizer.ts';

export async function classification(params: Params, config: GptConfig, tok: TextTokenizer, dataset: DatasetHandle, split: SplitName, maxExamples: number, ctx: NodeContext): Promise<Record<string, number>> {
  const labels = config.labels;
  if (!config.numClasses || !labels) throw new Error('this model has no classification head; fine-tune it in classification mode first');
  const rows = (await readAll(dataset, split)).slice(0, maxExamples);
  if (!rows.length) throw new Error(`the dataset has no ${split} split; add a Split node`);
  const ids = await encodeForClassifier(tok, rows.map((r) => String(r.text ?? r.prompt ?? '')), config.contextLength, 0);
  const actual = rows.map((r, i) => {
    const k = labels.indexOf(String(r.label));
    if (k < 0) throw new Error(`${split} record ${i + 1} has label ${JSON.stringify(r.label)}, which the model does not know (${labels.join(', ')})`);
    return k;
  });
  await ctx.progress({ step: 0, total: 1 });
  const predicted = await predict({ config, params, padId: tok.specials[EOS] ?? 0, batchSize: 16 }, ids);
  const r = report(actual, predicted, labels.length);
  const counts = labels.map((_, k) => actual.filter((a) => a === k).length);
  const majority = Math.max(...counts) / actual.length;
  writeFileSync(join(ctx.artifactDir, 'confusion.json'), JSON.stringify({ labels, confusion: r.confusion }, null, 2));
  ctx.log.info(`confusion (rows actual, columns predicted; ${labels.join(', ')}): ${JSON.stringify(r.confusion)}`);
  await ctx.progress({ step: 1, total: 1 });
  return { accuracy: r.accuracy, macroF1: r.macroF1, majorityBaseline: majority, examples: rows.length };
}
