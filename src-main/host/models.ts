/** Finds the models runs produced, for the playground; reads run records and small JSON only. */
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { readChatFormat } from '../../nodes/lib/chat-template.ts';
import type { Catalogue, ModelInfo, RunRecord } from '../../nodes/sdk/index.ts';
import { isWithin } from '../engine/paths.ts';
import type { RunStore } from '../store/run-store.ts';

interface ModelOutput {
  kind: 'model';
  dir: string;
  parameters?: number;
  config?: { contextLength?: number; vocabSize?: number; causal?: boolean; numClasses?: number };
}

function modelOutput(record: RunRecord, nodeId: string): ModelOutput | null {
  // Own keys only: an id such as "__proto__" is not a node.
  const node = Object.hasOwn(record.nodes, nodeId) ? record.nodes[nodeId] : undefined;
  if (!node || (node.state !== 'succeeded' && node.state !== 'cached')) return null;
  for (const value of Object.values(node.outputs ?? {})) {
    const v = value as Partial<ModelOutput> | null;
    if (v && v.kind === 'model' && typeof v.dir === 'string') return v as ModelOutput;
  }
  return null;
}

/** The folder of a model a run produced; refused unless it still exists inside the workspace cache. */
export function findModel(record: RunRecord, nodeId: string, cacheRoot: string): { dir: string; output: ModelOutput } {
  const output = modelOutput(record, nodeId);
  if (!output) throw new Error(`node "${nodeId}" of run ${record.id} produced no model`);
  if (!existsSync(join(output.dir, 'model.safetensors'))) throw new Error(`the model of node "${nodeId}" in run ${record.id} is gone from the cache (${output.dir})`);
  // A run record is a file in the workspace: it must not send the playground to read elsewhere.
  const dir = realpathSync(output.dir);
  if (!isWithin(dir, realpathSync(cacheRoot))) throw new Error(`refused: the model folder of node "${nodeId}" is outside the workspace cache`);
  return { dir, output };
}

function hasChatFormat(dir: string): boolean {
  try {
    return readChatFormat(dir) !== null;
  } catch {
    return false;
  }
}

/** A Model node that makes a new model (rather than loading a folder) outputs random weights. */
function isFreshInit(node: RunRecord['graph']['nodes'][number]): boolean {
  return node.type === 'model' && (node.params.source ?? 'new') === 'new';
}

export function listModels(store: RunStore, catalogue: Catalogue, cacheRoot: string): ModelInfo[] {
  const seen = new Set<string>();
  const out: ModelInfo[] = [];
  for (const summary of store.list()) {
    let record: RunRecord;
    try {
      record = store.get(summary.id);
    } catch {
      continue;
    }
    for (const node of record.graph.nodes) {
      let found;
      try {
        found = findModel(record, node.id, cacheRoot);
      } catch {
        continue;
      }
      // A cached node points at the folder an earlier run wrote: list each model once, at its newest run.
      if (seen.has(found.dir)) continue;
      seen.add(found.dir);
      const c = found.output.config ?? {};
      out.push({
        runId: record.id,
        nodeId: node.id,
        label: node.label ?? catalogue.get(node.type)?.label ?? node.type,
        nodeType: node.type,
        graphName: record.graph.meta.name ?? record.graphFile?.split(/[\\/]/).pop() ?? 'Untitled',
        createdAt: record.createdAt,
        parameters: found.output.parameters ?? 0,
        contextLength: c.contextLength,
        vocabSize: c.vocabSize,
        causal: c.causal !== false,
        chat: hasChatFormat(found.dir),
        classifier: !!c.numClasses,
        ...(isFreshInit(node) ? { untrained: true } : {}),
        dir: found.dir,
      });
    }
  }
  return out;
}
