import { useEffect, useMemo, useState } from 'react';
import type { ArtifactFiles } from '../../../nodes/sdk/files.ts';
import { useEditor } from '../context.ts';
import { formatBytes } from '../files/FilePicker.tsx';
import { desktopShell } from '../shell/desktop-shell.ts';
import { withSessionKey } from '../session-key.ts';

/**
 * The files a node wrote. The desktop app shows the folder in the system file manager; the browser
 * cannot open local folders, so each file is a download link instead (served under the session's key).
 */
export function NodeFiles({ runId, nodeId, dir, state }: { runId: string; nodeId: string; dir: string; state: string }) {
  const { api, toast } = useEditor();
  const shell = useMemo(desktopShell, []);
  const [files, setFiles] = useState<ArtifactFiles | null>(null);
  const [open, setOpen] = useState(false);
  const done = state === 'succeeded' || state === 'cached';
  useEffect(() => {
    setFiles(null);
    if (!done || !open) return;
    let live = true;
    api.listArtifactFiles(runId, nodeId).then(
      (f) => live && setFiles(f),
      (e: Error) => live && toast(e.message, 'error'),
    );
    return () => void (live = false);
  }, [api, runId, nodeId, done, open, toast]);
  const copy = () => void navigator.clipboard?.writeText(dir).catch(() => {});
  const link = (path: string) => withSessionKey(`/artifacts/${encodeURIComponent(runId)}/${encodeURIComponent(nodeId)}/${path.split('/').map(encodeURIComponent).join('/')}`);
  return (
    <div className="files" data-testid="node-files">
      <div className="path">
        <code title={dir}>{dir}</code>
        {shell ? (
          <button onClick={() => void shell.revealPath(dir).catch((e: Error) => toast(e.message, 'error'))} data-testid="reveal-folder">
            Show in folder
          </button>
        ) : (
          <button onClick={copy}>Copy folder</button>
        )}
        {done && !shell && (
          <a className="button" href={withSessionKey(`/artifacts/${encodeURIComponent(runId)}/${encodeURIComponent(nodeId)}.zip`)} download data-testid="download-zip">
            Download .zip
          </a>
        )}
        {done && (
          <button onClick={() => setOpen(!open)} data-testid="toggle-files">
            {open ? 'Hide files' : 'Files'}
          </button>
        )}
      </div>
      {open && files && (
        <ul className="node-files" data-testid="node-files-list">
          {files.files.map((f) => (
            <li key={f.path}>
              {shell ? <span className="mono">{f.path}</span> : <a href={link(f.path)} download={f.path.split('/').pop()} className="mono">{f.path}</a>}
              <span className="muted">{formatBytes(f.size)}</span>
            </li>
          ))}
          {files.files.length === 0 && <li className="muted">No files.</li>}
          {files.truncated && <li className="muted">Only the first 500 files are listed.</li>}
        </ul>
      )}
    </div>
  );
}
