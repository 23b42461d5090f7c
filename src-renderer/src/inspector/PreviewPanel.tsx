import { useEffect, useState } from 'react';
import type { ArtifactPreview, OutputPreview, PreviewTable } from '../../../nodes/sdk/artifact-preview.ts';
import { layoutsLine, recordCell } from './data-preview.ts';
import { useEditor } from '../context.ts';
import { formatMetric } from '../runs/run-view.ts';
import { HistogramChart } from '../runs/HistogramChart.tsx';
import { histogramPanels } from '../runs/histogram-view.ts';

const n = (x: number | undefined) => (x === undefined ? '—' : x.toLocaleString('en-US'));

function Table({ table, testId }: { table: PreviewTable; testId: string }) {
  return (
    <div className="preview-table" data-testid={testId}>
      <div className="muted small">
        {table.name}
        {table.totalRows > table.rows.length && ` · first ${table.rows.length} of ${n(table.totalRows)} rows`}
      </div>
      <div className="scroll">
        <table>
          <thead>
            <tr>{table.columns.map((c) => <th key={c}>{c}</th>)}</tr>
          </thead>
          <tbody>
            {table.rows.map((r, i) => (
              <tr key={i}>{r.map((v, j) => <td key={j} className={typeof v === 'string' && v.includes('\n') ? 'multiline' : undefined} title={v === null ? '' : String(v)}>{typeof v === 'number' ? formatMetric(v) : v === null ? '' : String(v)}</td>)}</tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function Output({ o, onPlayground }: { o: OutputPreview; onPlayground?: () => void }) {
  switch (o.kind) {
    case 'dataset':
      return (
        <div className="out" data-testid={`preview-${o.port}`}>
          <b>{o.port}</b>: {o.splits.map((s) => `${s.split} ${n(s.rows)}`).join(' · ')} rows
          {o.layouts && o.layouts.length > 0 && (
            <div className="muted small" data-testid={`preview-${o.port}-layout`}>
              layout: {layoutsLine(o.layouts)}
            </div>
          )}
          {o.labels && <div className="muted small">labels: {o.labels.join(', ')}</div>}
          {o.splits.map((s) =>
            s.first.length ? (
              <Table
                key={s.split}
                testId={`preview-${o.port}-${s.split}`}
                table={{ name: `${s.split} (first rows)`, columns: o.fields, rows: s.first.map((r) => o.fields.map((f) => recordCell(r[f]))), totalRows: s.rows }}
              />
            ) : null,
          )}
        </div>
      );
    case 'tokenizer':
      return (
        <div className="out" data-testid={`preview-${o.port}`}>
          <b>{o.port}</b>: {o.type} tokenizer, {n(o.vocabSize)} tokens
          {Object.keys(o.specialTokens).length > 0 && <div className="muted small">special: {Object.entries(o.specialTokens).map(([t, id]) => `${t}=${id}`).join(', ')}</div>}
        </div>
      );
    case 'model':
      return (
        <div className="out" data-testid={`preview-${o.port}`}>
          <b>{o.port}</b>: {n(o.parameters)} parameters · {o.causal === false ? 'encoder' : 'decoder'}
          <div className="muted small">
            {n(o.layers)} layers · {n(o.heads)} heads · width {n(o.width)} · context {n(o.context)} · vocab {n(o.vocab)}
            {o.labels && ` · labels ${o.labels.join(', ')}`}
          </div>
          {onPlayground && (
            <button className="small" onClick={onPlayground} data-testid="open-playground">
              Open in playground
            </button>
          )}
        </div>
      );
    case 'text':
      return o.excerpt ? (
        <div className="out" data-testid={`preview-${o.port}`}>
          <b>{o.port}</b>: {n(o.chars)} characters
          <pre className="mini-log">{o.excerpt}{o.chars > o.excerpt.length ? '…' : ''}</pre>
        </div>
      ) : null;
    default:
      // Metrics and other handles are already shown in the lines above.
      return null;
  }
}

/** A histogram (bins with counts) is drawn, its numbers folded away beneath; any other table is a table. */
function TableOrChart({ table }: { table: PreviewTable }) {
  const panels = histogramPanels(table);
  if (!panels) return <Table table={table} testId={`preview-table-${table.name}`} />;
  const yMax = Math.max(...panels.flatMap((p) => p.series.flatMap((s) => s.counts)));
  return (
    <div className="preview-histogram" data-testid={`preview-histogram-${table.name}`}>
      <div className="muted small">{table.name}</div>
      <div className="histogram-panels">
        {panels.map((p, i) => <HistogramChart key={p.title} panel={p} yMax={yMax} testId={`histogram-${table.name}-${i}`} />)}
      </div>
      <details>
        <summary className="muted small">numbers</summary>
        <Table table={table} testId={`preview-table-${table.name}`} />
      </details>
    </div>
  );
}

/** Excerpts of what a finished node produced, fetched from the host when the node is selected. */
export function PreviewPanel({ runId, nodeId, state }: { runId: string; nodeId: string; state: string }) {
  const { api, playground } = useEditor();
  const [preview, setPreview] = useState<ArtifactPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const done = state === 'succeeded' || state === 'cached';
  useEffect(() => {
    setPreview(null);
    setError(null);
    if (!done) return;
    let live = true;
    api.previewArtifacts(runId, nodeId).then(
      (p) => live && setPreview(p),
      (e: Error) => live && setError(e.message),
    );
    // A newer selection wins over a slow answer for an older one.
    return () => void (live = false);
  }, [api, runId, nodeId, done]);
  if (error) return <p className="muted small">Preview unavailable: {error}</p>;
  if (!preview) return null;
  return (
    <div className="preview" data-testid="preview">
      {preview.outputs.map((o) => <Output key={o.port} o={o} onPlayground={() => playground.open({ runId, nodeId })} />)}
      {preview.tables.map((t) => <TableOrChart key={t.name} table={t} />)}
      {preview.skipped.length > 0 && <p className="muted small">Not shown: {preview.skipped.join('; ')}</p>}
    </div>
  );
}
