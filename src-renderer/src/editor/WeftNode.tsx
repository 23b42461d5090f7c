import { Handle, Position, useConnection, type Node, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { NodeSpec } from '../../../nodes/sdk/define-node.ts';
import type { GraphError } from '../../../nodes/sdk/errors.ts';
import type { GraphNode } from '../../../nodes/sdk/graph.ts';
import { PORT_TYPES } from '../../../nodes/sdk/ports.ts';
import { describeDevice } from '../../../nodes/sdk/device.ts';
import { formatEta, formatMetric, type NodeView } from '../runs/run-view.ts';
import { useEditor } from '../context.ts';
import { DeployStatus } from '../endpoints/DeployStatus.tsx';

export type WeftNodeData = {
  node: GraphNode;
  spec: NodeSpec | undefined;
  view: NodeView | undefined;
  errors: GraphError[];
  /** Validation's warnings on this node: shown, not blocking. */
  warnings?: GraphError[];
  /** What the node showed last time: equal signatures mean nothing to redraw. */
  sig: string;
  errSig: string;
};

export type WeftFlowNode = Node<WeftNodeData, 'weft'>;

const STATE_LABEL: Record<string, string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Done',
  cached: 'Cached',
  failed: 'Failed',
  cancelled: 'Cancelled',
  skipped: 'Skipped',
  idle: 'Idle',
};

/** While the user drags a connection: which side and port type it started from ("source:Text"). */
function useDragging(): string | null {
  return useConnection<WeftFlowNode, string | null>((c) => {
    if (!c.inProgress || !c.fromHandle?.id) return null;
    const spec = c.fromNode.data.spec;
    const port = c.fromHandle.type === 'source' ? spec?.outputs[c.fromHandle.id] : spec?.inputs[c.fromHandle.id];
    return port ? `${c.fromHandle.type}:${port.type}` : null;
  });
}

function Port({ name, type, side, label, error, optional, dragging }: { name: string; type: keyof typeof PORT_TYPES; side: 'in' | 'out'; label: string; error?: string; optional?: boolean; dragging: string | null }) {
  const color = PORT_TYPES[type]?.color ?? '#999';
  // Light up the ports a drag could end on, and dim the rest, so type rules are visible before a drop.
  let hint = '';
  if (dragging) {
    const [fromSide, fromType] = dragging.split(':');
    const endsHere = (fromSide === 'source' && side === 'in') || (fromSide === 'target' && side === 'out');
    hint = endsHere && fromType === type ? ' port-can' : ' port-cannot';
  }
  return (
    <div className={`port port-${side}${error ? ' port-error' : ''}${hint}`} title={error ?? `${label}: ${type}${optional ? ' (optional)' : ''}`}>
      <Handle
        type={side === 'in' ? 'target' : 'source'}
        position={side === 'in' ? Position.Left : Position.Right}
        id={name}
        className="handle"
        style={{ background: color, borderColor: error ? '#ff5d5d' : color }}
        data-port-type={type}
        data-testid={`handle-${side}-${name}`}
      />
      <span className={`port-label${optional ? ' optional' : ''}`}>{label}</span>
      <span className="port-type" style={{ color }}>
        {type}
      </span>
    </div>
  );
}

/** A node on the canvas: ports with type colours, its state badge, progress, and errors where they happen. */
function WeftNodeImpl({ data, selected }: NodeProps<WeftFlowNode>) {
  const { node, spec, view, errors } = data;
  const portError = (port: string) => errors.find((e) => e.port === port)?.message;
  const nodeErrors = errors.filter((e) => !e.port);
  const state = view?.state;
  const progress = view && view.total ? Math.min(1, (view.step ?? 0) / view.total) : null;
  const headline = view ? Object.entries(view.metrics).slice(0, 3) : [];
  const dragging = useDragging();
  return (
    <div
      className={`wnode${selected ? ' selected' : ''}${errors.length ? ' has-errors' : ''}${state ? ` state-${state}` : ''}`}
      data-testid={`node-${node.id}`}
      data-state={state ?? 'idle'}
    >
      <div className="wnode-head">
        <div className="wnode-titles">
          <div className="wnode-label">{node.label ?? spec?.label ?? node.type}</div>
          <div className="wnode-type">
            {node.id} · {node.type}
          </div>
          {view?.device && (
            <div className="wnode-device" data-testid={`device-${node.id}`} title={view.device.adapter ? `${view.device.adapter.vendor} ${view.device.adapter.architecture}: ${view.device.adapter.description}` : undefined}>
              {describeDevice(view.device)}
            </div>
          )}
        </div>
        {state && (
          <span className={`badge badge-${state}`} data-testid={`badge-${node.id}`}>
            {STATE_LABEL[state] ?? state}
          </span>
        )}
        {!state && (data.warnings?.length ?? 0) > 0 && (
          <span className="badge badge-warning" data-testid={`check-warnings-${node.id}`} title={data.warnings!.map((w) => w.message).join('\n')}>
            ⚠ {data.warnings!.length}
          </span>
        )}
        {state && state !== 'failed' && (view?.warnings.length ?? 0) > 0 && (
          <span className="badge badge-warning" data-testid={`warnings-${node.id}`} title={view!.warnings.join('\n')}>
            ⚠ {view!.warnings.length}
          </span>
        )}
      </div>
      {!spec && <div className="wnode-error">Unknown node type “{node.type}”</div>}
      <div className="wnode-ports">
        <div className="ports-in">
          {Object.entries(spec?.inputs ?? {}).map(([name, p]) => (
            <Port key={name} name={name} type={p.type} side="in" label={p.label ?? name} optional={p.optional} error={portError(name)} dragging={dragging} />
          ))}
        </div>
        <div className="ports-out">
          {Object.entries(spec?.outputs ?? {}).map(([name, p]) => (
            <Port key={name} name={name} type={p.type} side="out" label={p.label ?? name} error={portError(name)} dragging={dragging} />
          ))}
        </div>
      </div>
      {/* Once a run is shown, progress and headline metrics share one fixed-height slot, so a node
          keeps its size as it queues, runs and finishes: a resize makes React Flow re-measure it
          and re-route its edges. Before any run there is no slot, and nodes stay compact. */}
      {state === 'running' && (
        <div className="wnode-progress wnode-slot" data-testid={`progress-${node.id}`}>
          <div className="bar">
            <div className="fill" style={{ width: progress === null ? '100%' : `${(progress * 100).toFixed(1)}%` }} data-indeterminate={progress === null} />
          </div>
          <div className="progress-text">
            <span>{view?.total ? `${view.step ?? 0} / ${view.total}` : view?.step ? `step ${view.step}` : 'starting…'}</span>
            <span>{formatEta(view?.etaMs)}</span>
          </div>
        </div>
      )}
      {state !== undefined && state !== 'running' && state !== 'failed' && (
        <div className="wnode-metrics wnode-slot">
          {headline.map(([k, v]) => (
            <span key={k}>
              {k} <b>{formatMetric(v)}</b>
            </span>
          ))}
        </div>
      )}
      {state === 'failed' && view?.error && (
        <div className="wnode-error" data-testid={`error-${node.id}`}>
          {view.error}
        </div>
      )}
      {/* Why a node did not run (a failure upstream, a closed gate), and why a gate closed. */}
      {state === 'skipped' && view?.error && (
        <div className="wnode-note" data-testid={`skip-reason-${node.id}`}>
          {view.error}
        </div>
      )}
      {view?.closed && state !== 'running' && (
        <div className="wnode-note" data-testid={`gate-closed-${node.id}`}>
          Gate closed: {view.closed}
        </div>
      )}
      {node.type === 'deploy' && <DeployNodeEndpoint nodeId={node.id} name={node.params.name} />}
      {nodeErrors.length > 0 && (
        <ul className="wnode-problems" data-testid={`problems-${node.id}`}>
          {nodeErrors.slice(0, 3).map((e, i) => (
            <li key={i}>{e.param ? `${e.param}: ${e.message}` : e.message}</li>
          ))}
          {nodeErrors.length > 3 && <li>…and {nodeErrors.length - 3} more</li>}
        </ul>
      )}
    </div>
  );
}

/** A deploy node's endpoint: the one its last run in this editor started, else the one serving under its model name. */
function DeployNodeEndpoint({ nodeId, name }: { nodeId: string; name: unknown }) {
  const { endpoints, runs } = useEditor();
  const output = runs.liveRecord?.nodes[nodeId]?.outputs?.endpoint as { id?: string } | undefined;
  // Without a model name the node serves under its own id (a .gguf: under the file's name).
  return <DeployStatus store={endpoints} outputId={output?.id} name={typeof name === 'string' && name.trim() ? name.trim() : nodeId} />;
}

export const WeftNode = memo(WeftNodeImpl);
