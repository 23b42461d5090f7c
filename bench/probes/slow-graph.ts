import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogueOf, type Graph } from '../../nodes/sdk/index.ts';
import { nodeRegistry } from '../../nodes/index.ts';
import { applyOverrides } from '../../src-main/cli/overrides.ts';
import { readGraphFile } from '../../src-main/store/graph-files.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/pretrain-moby-dick.weft.json', import.meta.url));

/** The pretraining example shrunk to a tiny GPT (width 32, one layer, context 16), `steps` long. */
export const TINY_PRETRAIN_SETTINGS = (steps: number, checkpointEvery: number) => [
  'corpus.maxRecords=6',
  'split.validation=0.34',
  'tokenizer.vocabSize=300',
  'model.width=32',
  'model.layers=1',
  'model.heads=2',
  'model.context=16',
  `train.steps=${steps}`,
  'train.batchSize=4',
  `train.evalEvery=${Math.max(1, Math.floor(steps / 4))}`,
  'train.evalBatches=1',
  `train.checkpointEvery=${checkpointEvery}`,
  'evaluate.maxTokens=200',
  'evaluate.maxExamples=4',
  'sample.maxTokens=4',
  'sample.samples=1',
];

export const PRETRAIN_EXAMPLE = EXAMPLE;

/** A training far longer than any probe waits: something running while the probes hit the server. */
export async function slowTrainingGraph(): Promise<{ graph: Graph; graphDir: string }> {
  const graph = applyOverrides(await readGraphFile(EXAMPLE), TINY_PRETRAIN_SETTINGS(1_000_000, 0), catalogueOf(nodeRegistry));
  return { graph, graphDir: dirname(EXAMPLE) };
}
