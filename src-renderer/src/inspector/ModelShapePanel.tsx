import { useEffect, useState } from 'react';
import type { GraphNode } from '../../../nodes/sdk/graph.ts';
import { loadedModelShape, MODEL_SHAPE_LABELS, type LoadedModelShape } from '../../../nodes/sdk/model-shape.ts';
import { useEditor } from '../context.ts';

/** The params that say which model a Model node loads. */
const SOURCE_PARAMS = ['source', 'folder', 'hubModel', 'revision'] as const;

function sourceOf(params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = { source: 'new', revision: 'main' };
  for (const k of SOURCE_PARAMS) if (typeof params[k] === 'string') out[k] = (params[k] as string).trim();
  return out;
}

export interface ShapeState {
  shape: LoadedModelShape | null;
  /** Where the figures come from: the shown run's model, or its config.json read now. */
  from: 'run' | 'config' | null;
  error: string | null;
}

/**
 * The real shape of the model a Model node loads (a folder or a Hub model): from the shown run when
 * that run loaded the same model, else read from its config.json by the host.
 */
export function useModelShape(node: GraphNode | null, graphDir: string | undefined): ShapeState | null {
  const { api, runs } = useEditor();
  const [state, setState] = useState<ShapeState>({ shape: null, from: null, error: null });
  const source = node?.type === 'model' ? sourceOf(node.params) : null;
  const loads = source !== null && source.source !== 'new';
  const key = JSON.stringify([source, graphDir]);
  // The shown run's model counts only when that run loaded what the node names now.
  const record = runs.shownRecord;
  const recorded = node && record?.graph.nodes.find((n) => n.id === node.id);
  const fromRun = loads && recorded && JSON.stringify(sourceOf(recorded.params)) === JSON.stringify(source) ? loadedModelShape(record?.nodes[node!.id]?.outputs?.model) : null;
  useEffect(() => {
    setState({ shape: null, from: null, error: null });
    if (!loads) return;
    let live = true;
    // Typing a folder or a model id should not read on every keystroke.
    const t = setTimeout(() => {
      api.describeModel({ params: source!, ...(graphDir ? { graphDir } : {}) }).then(
        (shape) => live && setState({ shape, from: shape ? 'config' : null, error: null }),
        (e: Error) => live && setState({ shape: null, from: null, error: e.message }),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // key stands for the source params and graphDir.
  }, [api, key, loads]);
  if (!loads) return null;
  return fromRun ? { shape: fromRun, from: 'run', error: null } : state;
}

function show(key: keyof LoadedModelShape, v: LoadedModelShape[keyof LoadedModelShape]): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return v.toLocaleString('en-US');
  return String(v);
}

/** A loaded model's real shape, read-only, where a new model's shape settings would be. */
export function ModelShapePanel({ state, source }: { state: ShapeState; source: string }) {
  const { shape, from, error } = state;
  return (
    <div className="model-shape" data-testid="model-shape">
      <h4>Loaded model</h4>
      {shape ? (
        <>
          <div className="kv">
            {(Object.keys(MODEL_SHAPE_LABELS) as Array<keyof LoadedModelShape>)
              .filter((k) => shape[k] !== undefined)
              .map((k) => (
                <ShapeRow key={k} name={k} label={MODEL_SHAPE_LABELS[k]} value={show(k, shape[k])} />
              ))}
          </div>
          <p className="muted small" data-testid="model-shape-from">
            {from === 'run' ? 'As the shown run loaded it.' : 'Read from its config.json.'} The new-model shape settings do not apply.
          </p>
        </>
      ) : (
        <p className="muted small" data-testid="model-shape-pending">
          {error
            ? `Its shape cannot be read yet: ${error}`
            : source === 'hub'
              ? 'Its layers, width, heads, context and vocabulary show here once it has been downloaded (after its first run).'
              : 'Its layers, width, heads, context and vocabulary show here once a model folder is chosen.'}
        </p>
      )}
    </div>
  );
}

function ShapeRow({ name, label, value }: { name: string; label: string; value: string }) {
  return (
    <>
      <span>{label}</span>
      <b data-testid={`shape-${name}`}>{value}</b>
    </>
  );
}
