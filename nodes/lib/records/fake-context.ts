import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultValue, type AnyNodeDefinition, type NodeContext, type NodeResult, type ParamValue, type Progress } from '../../sdk/index.ts';
import { DatasetWriter, type DataRecord, type DatasetHandle, type SplitName } from '../dataset.ts';

/** A NodeContext for calling a node's run() directly in tests: temp folders, collected logs and progress. */
export function fakeContext(onProgress?: (p: Progress) => void): NodeContext & { logs: string[]; root: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'weft-node-'));
  const artifactDir = join(root, 'artifact');
  const checkpointDir = join(root, 'checkpoint');
  mkdirSync(artifactDir);
  mkdirSync(checkpointDir);
  const logs: string[] = [];
  return {
    nodeId: 'n',
    signal: new AbortController().signal,
    progress: async (p) => onProgress?.(p),
    log: { info: (m) => logs.push(`info: ${m}`), warn: (m) => logs.push(`warn: ${m}`), error: (m) => logs.push(`error: ${m}`) },
    artifactDir,
    checkpointDir,
    seed: 1,
    workspace: root,
    logs,
    root,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A node's params at their defaults, with some overridden, as the engine would pass them. */
export function paramsFor(def: AnyNodeDefinition, overrides: Record<string, ParamValue> = {}): Parameters<AnyNodeDefinition['run']>[1] {
  const out: Record<string, ParamValue> = {};
  for (const [key, spec] of Object.entries(def.params)) {
    const value = defaultValue(spec);
    if (value !== undefined) out[key] = value;
  }
  // The engine checks values against the specs; tests pass them as the node's typed params.
  return { ...out, ...overrides } as Parameters<AnyNodeDefinition['run']>[1];
}

/**
 * Runs a dataset-to-dataset node (clean, label, split…) on records given per split, after
 * checking its params pass validate(); for tests.
 */
export async function runOnRecords(
  def: AnyNodeDefinition,
  splits: Partial<Record<SplitName, DataRecord[]>>,
  overrides: Record<string, ParamValue> = {},
): Promise<{ ctx: ReturnType<typeof fakeContext>; result: NodeResult; dataset: DatasetHandle; params: ReturnType<typeof paramsFor> }> {
  const ctx = fakeContext();
  const inputDir = join(ctx.root, 'input');
  mkdirSync(inputDir);
  const writer = new DatasetWriter(inputDir);
  for (const [split, records] of Object.entries(splits)) for (const r of records) await writer.write(split as SplitName, r);
  const params = paramsFor(def, overrides);
  const problems = def.validate?.(params as never, ['dataset']) ?? [];
  if (problems.length) throw new Error(`params do not validate: ${JSON.stringify(problems)}`);
  const result = await def.run({ dataset: await writer.close() }, params, ctx);
  return { ctx, result, dataset: result.outputs.dataset as DatasetHandle, params };
}
