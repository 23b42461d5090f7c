import { useEffect, useState } from 'react';
import type { DataFilePreview } from '../../../nodes/sdk/artifact-preview.ts';
import { DATASET_LAYOUT_LABELS } from '../../../nodes/sdk/port-values.ts';
import type { GraphNode } from '../../../nodes/sdk/graph.ts';
import { useEditor } from '../context.ts';
import { previewColumns, recordCell } from './data-preview.ts';

/** The params of Dataset from files that change how a file reads. */
const READ_PARAMS = ['layout', 'messagesField', 'textField', 'promptField', 'responseField', 'labelField', 'keepOtherFields', 'csvHeader', 'csvDelimiter', 'txtRecords'];

/**
 * The first records of the file a Dataset from files node points at, read by the host with the
 * node's current params: the layout recognised, the fields found, problems with file:line.
 */
export function useDataFilePreview(node: GraphNode | null, graphDir: string | undefined): { preview: DataFilePreview | null; error: string | null } {
  const { api } = useEditor();
  const [state, setState] = useState<{ preview: DataFilePreview | null; error: string | null }>({ preview: null, error: null });
  const path = node?.type === 'dataset.file' && node.params.source !== 'folder' && typeof node.params.file === 'string' ? node.params.file.trim() : '';
  const params: Record<string, string | number | boolean> = {};
  for (const k of READ_PARAMS) {
    const v = node?.params[k];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') params[k] = v;
  }
  const key = JSON.stringify([path, graphDir, params]);
  useEffect(() => {
    setState({ preview: null, error: null });
    if (!path) return;
    let live = true;
    // Typing a field name should not read the file on every keystroke.
    const t = setTimeout(() => {
      api.previewDataFile({ path, ...(graphDir ? { graphDir } : {}), params }).then(
        (preview) => live && setState({ preview, error: null }),
        (e: Error) => live && setState({ preview: null, error: e.message }),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // key stands for path, graphDir and params.
  }, [api, key]);
  return state;
}

export function DataFilePreviewPanel({ preview, error }: { preview: DataFilePreview | null; error: string | null }) {
  if (error) return <p className="muted small" data-testid="file-preview-error">File preview unavailable: {error}</p>;
  if (!preview) return null;
  const columns = previewColumns(preview.first);
  return (
    <div className="preview" data-testid="file-preview">
      <h4>File preview</h4>
      <div className="muted small" data-testid="file-preview-layout">
        {preview.name}: {DATASET_LAYOUT_LABELS[preview.layout]}
        {preview.detected ? ' (recognised)' : ''}
        {preview.fieldsFound.length > 0 && <> · fields found: {preview.fieldsFound.join(', ')}</>}
      </div>
      {preview.first.length > 0 && (
        <div className="preview-table" data-testid="file-preview-rows">
          <div className="muted small">first {preview.first.length} records{preview.more ? ' (the file goes on)' : ''}</div>
          <div className="scroll">
            <table>
              <thead>
                <tr>{columns.map((c) => <th key={c}>{c}</th>)}</tr>
              </thead>
              <tbody>
                {preview.first.map((r, i) => (
                  <tr key={i}>
                    {columns.map((c) => {
                      const v = recordCell(r[c]);
                      return (
                        <td key={c} className={typeof v === 'string' && v.includes('\n') ? 'multiline' : undefined} title={v === null ? '' : String(v)}>
                          {v === null ? '' : String(v)}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
      {preview.problems.length > 0 && (
        <div className="callout error" data-testid="file-preview-problems">
          {preview.problems.map((p, i) => (
            <div key={i}>{p}</div>
          ))}
        </div>
      )}
    </div>
  );
}
