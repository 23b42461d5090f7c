import { useEffect, useRef, useState } from 'react';
import { SHORTCUT_SHEET, keysLabel } from '../../../nodes/sdk/commands.ts';
import type { TemplateInfo } from '../../../nodes/sdk/doors/weft-api.ts';
import { FileBrowser, type PickRequest } from './FilePicker.tsx';
import { baseName } from './local-files.ts';
import { Modal } from './Modal.tsx';

/** What the Open dialog browses: graph files, from the workspace. */
const OPEN_REQUEST: PickRequest = { kind: 'file', title: 'Open', extensions: ['.weft.json'], startRoot: 'Workspace' };

/**
 * Open a graph (the browser's Open; the desktop app uses the native dialog): browse folders as the
 * file picker does, recent files, a typed path (relative to the workspace, or absolute), or a template.
 */
export function OpenDialog({ templates, recent, onOpen, onTemplate, onClose }: { templates: TemplateInfo[]; recent: string[]; onOpen(path: string): void; onTemplate(t: TemplateInfo): void; onClose(): void }) {
  const [path, setPath] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <Modal title="Open" onClose={onClose}>
      <FileBrowser request={OPEN_REQUEST} onPick={onOpen} chooseLabel="Open" />
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) onOpen(path.trim());
        }}
      >
        <input ref={input} type="text" placeholder="or type a path: graphs/my-pipeline.weft.json (inside the workspace) or an absolute path" value={path} onChange={(e) => setPath(e.target.value)} aria-label="Graph path" />
        <button type="submit">Open path</button>
      </form>
      <h3>Recent</h3>
      {recent.length === 0 && <p className="muted">No recent files yet.</p>}
      <ul className="file-list" data-testid="recent-files">
        {recent.map((p) => (
          <li key={p}>
            <button onClick={() => onOpen(p)} title={p}>
              <b>{baseName(p)}</b> <span className="muted small">{p}</span>
            </button>
          </li>
        ))}
      </ul>
      <h3>Templates</h3>
      <TemplateList templates={templates} onTemplate={onTemplate} />
    </Modal>
  );
}

export function TemplateList({ templates, onTemplate }: { templates: TemplateInfo[]; onTemplate(t: TemplateInfo): void }) {
  return (
    <div className="templates" data-testid="templates">
      {templates.map((t) => (
        <button key={t.path} className="template" onClick={() => onTemplate(t)}>
          <b>{t.name}</b>
          <span className="muted small">{t.nodeCount} nodes</span>
          <p>{t.description}</p>
        </button>
      ))}
      {templates.length === 0 && <p className="muted">No templates found.</p>}
    </div>
  );
}

export function TemplatesDialog({ templates, onTemplate, onClose }: { templates: TemplateInfo[]; onTemplate(t: TemplateInfo): void; onClose(): void }) {
  return (
    <Modal title="Start from a template" onClose={onClose}>
      <TemplateList templates={templates} onTemplate={onTemplate} />
    </Modal>
  );
}

/** Save as: a path relative to the workspace (graphs/… is the usual place) or absolute. */
export function SaveAsDialog({ initial, onSave, onClose }: { initial: string; onSave(path: string): void; onClose(): void }) {
  const [path, setPath] = useState(initial);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const fixed = path.trim() && !path.trim().endsWith('.weft.json') ? path.trim() + '.weft.json' : path.trim();
  return (
    <Modal title="Save as" onClose={onClose}>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (fixed) onSave(fixed);
        }}
      >
        <input ref={input} type="text" value={path} onChange={(e) => setPath(e.target.value)} aria-label="Save path" />
        <button type="submit" className="primary">
          Save
        </button>
      </form>
      <p className="muted small">Relative paths are inside the workspace. Graph files end in .weft.json{fixed !== path.trim() && fixed ? ` (will save as ${fixed})` : ''}.</p>
    </Modal>
  );
}

/** The sheet's rows, from the command registry: the keys are the commands' own. */
const SHORTCUTS: Array<[string, string]> = SHORTCUT_SHEET.map((row) => ['commands' in row ? row.commands.map(keysLabel).join(' / ') : row.gesture, row.what]);

export function ShortcutsDialog({ onClose }: { onClose(): void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose}>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <td>
                <kbd>{keys}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">On macOS, Cmd works wherever Ctrl is listed.</p>
    </Modal>
  );
}
