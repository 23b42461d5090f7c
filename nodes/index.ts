/**
 * The registry of node types: an explicit list, no global mutable maps. Each entry is a node's
 * light spec (its index.ts); the host reads it for specs and validation, and only a worker calls
 * `loadRun()`, which imports the node's run.ts and with it tfjs and the tokenizers.
 * test/light-host.test.ts proves `weft nodes` and `weft validate` load none of that.
 */
import type { AnyNodeDefinition, HardwareReport, PlaygroundGenerator } from './sdk/index.ts';
// Light (no tfjs): the worker sets the job's device request here, and reads back what was used.
export { setDeviceRequest, deviceUsed, takeDeviceFailure } from './lib/device-state.ts';

/** What this machine offers for tensor work; Dawn and TensorFlow load only when asked. */
export async function probeHardware(vulkanLoader: HardwareReport['vulkanLoader']): Promise<HardwareReport> {
  const { probeHardware: probe } = await import('./lib/hardware.ts');
  return probe(vulkanLoader);
}
import textLoad from './text.load/index.ts';
import textClean from './text.clean/index.ts';
import textStats from './text.stats/index.ts';
import datasetBuiltin from './dataset.builtin/index.ts';
import dataSplit from './data.split/index.ts';
import tokenizer from './tokenizer/index.ts';
import model from './model/index.ts';
import optimizer from './optimizer/index.ts';
import scheduler from './scheduler/index.ts';
import trainPretrain from './train.pretrain/index.ts';
import generate from './generate/index.ts';
import evaluate from './eval/index.ts';
import datasetSynthetic from './dataset.synthetic/index.ts';
import dataChat from './data.chat/index.ts';
import trainSft from './train.sft/index.ts';
import trainRl from './train.rl/index.ts';
import datasetFile from './dataset.file/index.ts';
import dataClean from './data.clean/index.ts';
import dataLabel from './data.label/index.ts';
import gate from './gate/index.ts';
import prune from './prune/index.ts';
import trainContinue from './train.continue/index.ts';
import deploy from './deploy/index.ts';
import datasetPreferences from './dataset.preferences/index.ts';
import trainRm from './train.rm/index.ts';
import trainDpo from './train.dpo/index.ts';
import quantize from './quantize/index.ts';
import exportModel from './export/index.ts';

export const nodeRegistry: readonly AnyNodeDefinition[] = [
  textLoad,
  textClean,
  textStats,
  datasetFile,
  datasetBuiltin,
  datasetSynthetic,
  datasetPreferences,
  dataClean,
  dataLabel,
  dataSplit,
  dataChat,
  tokenizer,
  model,
  optimizer,
  scheduler,
  trainPretrain,
  trainSft,
  trainContinue,
  prune,
  trainRl,
  trainRm,
  trainDpo,
  evaluate,
  gate,
  generate,
  deploy,
  quantize,
  exportModel,
];

/** The playground's generator, for a worker that serves the playground (the engine never imports nodes/lib). */
export async function loadPlayground(): Promise<PlaygroundGenerator> {
  const { PlaygroundSession } = await import('./lib/playground/session.ts');
  return new PlaygroundSession();
}
