import { Fragment, useEffect, useState } from 'react';
import type { NodeSpec } from '../../../nodes/sdk/define-node.ts';
import type { GraphError } from '../../../nodes/sdk/errors.ts';
import type { GraphEdge, GraphNode } from '../../../nodes/sdk/graph.ts';
import type { ParamValue } from '../../../nodes/sdk/params.ts';
import { useEditor, useRunsTick } from '../context.ts';
import { formatEta, formatMetric } from '../runs/run-view.ts';
import { connectedInputs, fieldsFor, parseInput, type Field } from './form.ts';
import { PreviewPanel } from './PreviewPanel.tsx';
import { usePathPicker } from '../files/use-path-picker.tsx';
import { NodeFiles } from './NodeFiles.tsx';
import { DataFilePreviewPanel, useDataFilePreview } from './DataFilePreview.tsx';
import { FIELD_PARAMS } from './data-preview.ts';
import { DevicePicker, DeviceText } from './DevicePicker.tsx';
import { HardwarePanel } from './HardwarePanel.tsx';
import { ModelShapePanel, useModelShape } from './ModelShapePanel.tsx';

function FieldRow({
  field,
  nodeId,
  readOnly,
  graphError,
  suggestions,
  onCommit,
  onBrowse,
}: {
  field: Field;
  nodeId: string;
  readOnly: boolean;
  graphError?: string;
  /** Values offered while typing (e.g. the fields found in a data file). */
  suggestions?: string[];
  onCommit(v: ParamValue): void;
  onBrowse?(current: string): Promise<string | null>;
}) {
  const shown = field.value === undefined ? '' : String(field.value);
  const [draft, setDraft] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const { fieldProblems } = useEditor();
  // A refused value counts as a problem (status bar, Run) while the field shows it.
  useEffect(() => {
    fieldProblems.set(nodeId, field.name, problem);
    return () => fieldProblems.set(nodeId, field.name, null);
  }, [fieldProblems, nodeId, field.name, problem]);
  // A different node, or an undo, resets what the user was typing.
  useEffect(() => {
    setDraft(null);
    setProblem(null);
  }, [nodeId, shown]);

  const change = (raw: string | boolean) => {
    if (typeof raw === 'string') setDraft(raw);
    const parsed = parseInput(field.spec, raw);
    if (parsed.ok) {
      setProblem(null);
      onCommit(parsed.value);
    } else setProblem(parsed.problem);
  };

  const id = `param-${nodeId}-${field.name}`;
  const error = problem ?? (field.problem ? `${field.label} ${field.problem}` : null) ?? graphError ?? null;
  const help = [field.notApplying, field.spec.help, field.hint].filter(Boolean).join(' · ');
  const s = field.spec;
  let control;
  switch (field.control) {
    case 'checkbox':
      control = <input id={id} type="checkbox" checked={field.value === true} disabled={readOnly} onChange={(e) => change(e.target.checked)} />;
      break;
    case 'select':
      control = (
        <select id={id} value={shown} disabled={readOnly} onChange={(e) => change(e.target.value)}>
          {s.kind === 'enum' && s.options.map((o) => <option key={o}>{o}</option>)}
        </select>
      );
      break;
    case 'textarea':
      control = <textarea id={id} rows={3} value={draft ?? shown} disabled={readOnly} onChange={(e) => change(e.target.value)} />;
      break;
    default: {
      const input = (
        <input
          id={id}
          type="text"
          inputMode={field.control === 'number' ? 'decimal' : undefined}
          spellCheck={false}
          value={draft ?? shown}
          disabled={readOnly}
          placeholder={field.control === 'path' ? (s.kind === 'folder' ? 'folder path' : 'file path') : undefined}
          list={suggestions?.length ? `${id}-suggestions` : undefined}
          onChange={(e) => change(e.target.value)}
          onBlur={() => problem === null && setDraft(null)}
        />
      );
      if (suggestions?.length) {
        control = (
          <>
            {input}
            <datalist id={`${id}-suggestions`}>{suggestions.map((o) => <option key={o} value={o} />)}</datalist>
          </>
        );
        break;
      }
      control =
        field.control === 'path' && onBrowse ? (
          <div className="path-row">
            {input}
            <button
              type="button"
              disabled={readOnly}
              onClick={() => void onBrowse(draft ?? shown).then((p) => p !== null && change(p))}
              data-testid={`browse-${nodeId}-${field.name}`}
            >
              Browse…
            </button>
          </div>
        ) : (
          input
        );
      break;
    }
  }
  return (
    <div className={`field${error ? ' invalid' : ''}${field.control === 'checkbox' ? ' field-check' : ''}${field.notApplying ? ' field-na' : ''}`} data-testid={id} data-applies={field.notApplying ? 'no' : 'yes'}>
      <label htmlFor={id}>
        {field.label}
        {s.required && <span className="req">*</span>}
      </label>
      {control}
      {error ? (
        <div className="field-error" role="alert">
          {error}
          {problem && <em> — not applied; the node keeps {shown === '' ? 'no value' : `“${shown}”`}</em>}
        </div>
      ) : (
        help && <div className="field-help">{help}</div>
      )}
    </div>
  );
}

/** The selected node: its params as a form generated from the spec, and what the shown run did with it. */
export function Inspector({ node, edges, readOnly, errors, warnings = [], graphDir }: { node: GraphNode | null; edges: readonly GraphEdge[]; readOnly: boolean; errors: GraphError[]; warnings?: GraphError[]; graphDir?: string }) {
  const { specs, doc, runs, toast } = useEditor();
  // Settings that do not apply (LoRA rank with Method full…) are hidden until asked for.
  const [showAll, setShowAll] = useState(false);
  const filePreview = useDataFilePreview(node, graphDir);
  const modelShape = useModelShape(node, graphDir);
  const { pick, cancel: cancelPick, picker } = usePathPicker();
  // Another node selected (or this one deleted): its pending pick no longer has a field to fill.
  useEffect(() => cancelPick(), [node?.id, cancelPick]);
  useRunsTick();
  if (!node) {
    return (
      <aside className="inspector" data-testid="inspector">
        <div className="panel-title">Inspector</div>
        <p className="muted pad">Select a node to edit its settings. Shift-drag selects several; Ctrl+D duplicates; Delete removes.</p>
        <div className="pad">
          <DevicePicker readOnly={readOnly} />
          <HardwarePanel />
        </div>
      </aside>
    );
  }
  const spec: NodeSpec | undefined = specs.get(node.type);
  const view = runs.shown?.nodes[node.id];
  const nodeErrors = errors.filter((e) => e.nodeId === node.id);
  const fields = spec ? fieldsFor(spec, node.params, connectedInputs(edges, node.id)) : [];
  // A field with a problem stays in sight even when it does not apply: a hidden error could not be fixed.
  const visible = fields.filter((f) => !f.notApplying || showAll || f.problem || nodeErrors.some((e) => e.param === f.name));
  const notApplying = fields.filter((f) => f.notApplying).length;
  const commit = (name: string) => (value: ParamValue) =>
    doc.edit(
      (g) => {
        const target = g.nodes.find((n) => n.id === node.id);
        if (target) target.params[name] = value;
      },
      { key: `param:${node.id}:${name}` },
    );
  return (
    <aside className="inspector" data-testid="inspector">
      <div className="panel-title">{spec?.label ?? node.type}</div>
      <div className="pad">
        <div className="field">
          <label htmlFor="node-label">Name</label>
          <input
            id="node-label"
            type="text"
            value={node.label ?? ''}
            placeholder={spec?.label}
            disabled={readOnly}
            onChange={(e) => doc.edit((g) => {
              const n = g.nodes.find((x) => x.id === node.id)!;
              if (e.target.value) n.label = e.target.value.slice(0, 200);
              else delete n.label;
            }, { key: `label:${node.id}` })}
          />
        </div>
        <p className="muted small">{spec?.description}</p>
        {nodeErrors.filter((e) => !e.param).map((e, i) => (
          <div key={i} className="callout error">{e.port ? `${e.port}: ` : ''}{e.message}</div>
        ))}
        {warnings.filter((w) => w.nodeId === node.id).map((w, i) => (
          <div key={`w${i}`} className="callout warning" data-testid="node-warning">⚠ {w.port ? `${w.port}: ` : w.param ? `${w.param}: ` : ''}{w.message}</div>
        ))}
        {modelShape && <ModelShapePanel state={modelShape} source={String(node.params.source)} />}
        {spec && Object.keys(spec.params).length > 0 && <h4>Settings</h4>}
        {spec &&
          visible.map((f) => (
            <Fragment key={f.name}>
            <FieldRow
              field={f}
              nodeId={node.id}
              readOnly={readOnly}
              graphError={nodeErrors.find((e) => e.param === f.name)?.message}
              suggestions={FIELD_PARAMS.includes(f.name) ? filePreview.preview?.fieldsFound : undefined}
              onCommit={commit(f.name)}
              onBrowse={(current) =>
                pick({
                  kind: f.spec.kind === 'folder' ? 'folder' : 'file',
                  title: `Choose ${f.label.toLowerCase()} for ${node.label ?? spec.label}`,
                  ...(f.spec.kind === 'file' && f.spec.extensions ? { extensions: f.spec.extensions } : {}),
                  ...(current ? { near: current } : {}),
                }).catch((e: unknown) => {
                  toast(e instanceof Error ? e.message : String(e), 'error');
                  return null;
                })
              }
            />
            {/* What the chosen file holds, right under it (Dataset from files). */}
            {f.name === 'file' && <DataFilePreviewPanel {...filePreview} />}
            </Fragment>
          ))}
        {notApplying > 0 && (
          <button type="button" className="link small" onClick={() => setShowAll(!showAll)} data-testid="toggle-not-applying">
            {showAll ? `Hide the ${notApplying} setting${notApplying === 1 ? '' : 's'} that do not apply` : `Show ${notApplying} setting${notApplying === 1 ? '' : 's'} that do not apply`}
          </button>
        )}
        {picker}
        {spec?.heavy && <DevicePicker nodeId={node.id} readOnly={readOnly} />}
        {view && (
          <>
            <h4>Run</h4>
            <div className="kv">
              <span>State</span>
              <b className={`state-text state-${view.state}`} data-testid="inspector-state">{view.state}</b>
              {view.total !== undefined && (
                <>
                  <span>Progress</span>
                  <b data-testid="inspector-progress">
                    {view.step ?? 0} / {view.total} {formatEta(view.etaMs)}
                  </b>
                </>
              )}
              {view.device && (
                <>
                  <span>Device</span>
                  <DeviceText device={view.device} />
                </>
              )}
              {Object.entries(view.metrics).map(([k, v]) => (
                <FragmentKV key={k} k={k} v={formatMetric(v)} />
              ))}
            </div>
            {view.error && <div className="callout error" data-testid="inspector-error">{view.error}</div>}
            <Outputs nodeId={node.id} />
            {view.logs.length > 0 && (
              <pre className="mini-log">{view.logs.slice(-12).map((l) => `${l.level === 'info' ? '' : l.level.toUpperCase() + ' '}${l.message}`).join('\n')}</pre>
            )}
          </>
        )}
      </div>
    </aside>
  );
}

function FragmentKV({ k, v }: { k: string; v: string }) {
  return (
    <>
      <span>{k}</span>
      <b>{v}</b>
    </>
  );
}

function describeOutput(value: unknown): string {
  const v = value as { kind?: string; chars?: number; values?: Record<string, number>; path?: string } | null;
  if (v?.kind === 'text') return `text, ${(v.chars ?? 0).toLocaleString('en-US')} characters`;
  if (v?.kind === 'metrics') return Object.entries(v.values ?? {}).slice(0, 6).map(([k, x]) => `${k} ${formatMetric(x)}`).join(' · ');
  if (v?.kind) return v.kind;
  return JSON.stringify(value)?.slice(0, 120) ?? '';
}

/** What the node produced in the shown run: each output's handle and the folder it lives in. */
function Outputs({ nodeId }: { nodeId: string }) {
  const { runs } = useEditor();
  const rec = runs.shownRecord?.nodes[nodeId];
  if (!rec?.outputs && !rec?.artifactDir) return null;
  const copy = (text: string) => void navigator.clipboard?.writeText(text).catch(() => {});
  return (
    <div className="outputs" data-testid="outputs">
      <h4>Produced</h4>
      {Object.entries(rec.outputs ?? {}).map(([port, value]) => {
        const path = (value as { path?: string } | null)?.path;
        return (
          <div key={port} className="out">
            <b>{port}</b>: {describeOutput(value)}
            {path && (
              <div className="path">
                <code title={path}>{path}</code>
                <button onClick={() => copy(path)}>Copy path</button>
              </div>
            )}
          </div>
        );
      })}
      <PreviewPanel runId={runs.shownRecord!.id} nodeId={nodeId} state={rec.state} />
      {rec.artifactDir && <NodeFiles runId={runs.shownRecord!.id} nodeId={nodeId} dir={rec.artifactDir} state={rec.state} />}
      {rec.cachedFrom && <p className="muted small">From the cache of run {rec.cachedFrom}.</p>}
    </div>
  );
}
