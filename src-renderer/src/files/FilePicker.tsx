import { useCallback, useEffect, useRef, useState } from 'react';
import type { FolderListing } from '../../../nodes/sdk/files.ts';
import { useEditor } from '../context.ts';
import { Modal } from './Modal.tsx';

export interface PickRequest {
  kind: 'file' | 'folder';
  title: string;
  /** With the dot, as node param specs give them (".txt"). */
  extensions?: readonly string[];
  /** Start here when it is browsable (the param's current value, or its folder). */
  near?: string;
  /** Without `near`, start in the root with this label ("Workspace") when there is one. */
  startRoot?: string;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

const parentOf = (p: string) => p.replace(/[\\/][^\\/]*$/, '') || '/';

/**
 * Weft's own file and folder picker, for the browser (the desktop app uses the native dialog).
 * It browses the host's disk through the API: any folder the user can read (typed into the path
 * box, or reached by going up), hidden entries left out. Browsing opens nothing to graphs; they
 * read only what is chosen here.
 */
export function FilePicker({ request, onPick, onClose }: { request: PickRequest; onPick(path: string): void; onClose(): void }) {
  return (
    <Modal title={request.title} onClose={onClose}>
      <FileBrowser request={request} onPick={onPick} onCancel={onClose} />
    </Modal>
  );
}

/** The picker's body: roots, the folder's path, its entries, and Choose (also inside the Open dialog). */
export function FileBrowser({ request, onPick, onCancel, chooseLabel }: { request: PickRequest; onPick(path: string): void; onCancel?: () => void; chooseLabel?: string }) {
  // "show all files" is for node params (a .txt reader may read a .md); a graph is always .weft.json.
  const canShowAll = chooseLabel === undefined;
  const { api } = useEditor();
  const [listing, setListing] = useState<FolderListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [showAll, setShowAll] = useState(false);
  // The path box: what the user is typing, until Enter takes them there (null shows the folder's path).
  const [typed, setTyped] = useState<string | null>(null);

  // Only the latest folder asked for is shown, whatever order the answers arrive in.
  const asked = useRef(0);
  const go = useCallback(
    (path?: string) => {
      const n = ++asked.current;
      const show = (l: FolderListing) => n === asked.current && setListing(l);
      const fail = (e: unknown) => n === asked.current && setError(String((e as Error).message ?? e));
      setError(null);
      setSelected(null);
      setTyped(null);
      api.listFolder(path).then(show, (e: unknown) => {
        // A param pointing somewhere unbrowsable falls back to the first root rather than a dead end.
        if (path) api.listFolder().then(show, fail);
        fail(e);
      });
    },
    [api],
  );
  useEffect(() => {
    const near = request.near && /^([A-Za-z]:)?[\\/]/.test(request.near) ? (request.kind === 'folder' ? request.near : parentOf(request.near)) : undefined;
    if (near || !request.startRoot) return go(near);
    // No place to start from: the named root (the workspace, for graphs), else the first one.
    api.listFolder().then(
      (l) => go(l.roots.find((r) => r.label === request.startRoot)?.path ?? l.path),
      () => go(),
    );
  }, [api, go, request]);

  // A typed file path opens its folder with the file selected; a folder path opens the folder.
  const goTyped = (path: string) => {
    const n = ++asked.current;
    setError(null);
    api.listFolder(path).then(
      (l) => {
        if (n !== asked.current) return;
        setListing(l);
        setSelected(null);
        setTyped(null);
      },
      (e: unknown) => {
        const parent = parentOf(path);
        if (request.kind === 'file' && parent !== path && /no such folder|not a folder/.test(String((e as Error).message))) {
          api.listFolder(parent).then(
            (l) => {
              if (n !== asked.current) return;
              setListing(l);
              setTyped(null);
              const name = path.replace(/^.*[\\/]/, '');
              const file = l.entries.find((x) => x.kind === 'file' && x.name === name);
              setSelected(file?.path ?? null);
            },
            (e2: unknown) => n === asked.current && setError(String((e2 as Error).message ?? e2)),
          );
        } else if (n === asked.current) setError(String((e as Error).message ?? e));
      },
    );
  };
  const matches = (name: string) => !request.extensions?.length || showAll || request.extensions.some((x) => name.toLowerCase().endsWith(x.toLowerCase()));
  const entries = listing?.entries.filter((e) => e.kind === 'folder' || (request.kind === 'file' && matches(e.name))) ?? [];
  const crumbs = listing ? listing.path.split(/[\\/]/).filter(Boolean) : [];

  return (
    <div className="picker" data-testid="file-picker">
      <div className="picker-roots">
        {listing?.roots.map((r) => (
          <button key={r.path} className={listing.path.startsWith(r.path) ? 'on' : ''} onClick={() => go(r.path)} title={r.path}>
            {r.label}
          </button>
        ))}
      </div>
      <form
        className="picker-crumbs mono"
        data-testid="picker-path"
        onSubmit={(e) => {
          e.preventDefault();
          if (typed?.trim()) goTyped(typed.trim());
        }}
      >
        <button type="button" className="icon" disabled={!listing?.parent} onClick={() => listing?.parent && go(listing.parent)} aria-label="Up one folder" title="Up one folder" data-testid="picker-up">
          ↑
        </button>
        <input
          type="text"
          spellCheck={false}
          aria-label="Folder path"
          title="Type a folder (or file) path and press Enter; ~ is your home folder"
          value={typed ?? listing?.path ?? ''}
          onChange={(e) => setTyped(e.target.value)}
          data-testid="picker-path-input"
        />
        <button type="submit" disabled={!typed?.trim()} data-testid="picker-go">
          Go
        </button>
      </form>
      {error && <p className="field-error" role="alert" data-testid="picker-error">{error}</p>}
      <ul className="picker-list" data-testid="picker-list">
        {entries.map((e) => (
          <li key={e.path}>
            <button
              className={selected === e.path ? 'on' : ''}
              onClick={() => (e.kind === 'folder' && request.kind === 'file' ? go(e.path) : setSelected(e.path))}
              onDoubleClick={() => (e.kind === 'folder' ? go(e.path) : onPick(e.path))}
              data-testid={`picker-${e.name}`}
            >
              <span>
                <i className={`ficon ${e.kind}`} aria-hidden /> {e.name}
              </span>
              <span className="muted small">{e.size !== undefined ? formatBytes(e.size) : ''}</span>
            </button>
          </li>
        ))}
        {listing && entries.length === 0 && <li className="muted pad">Nothing here{request.extensions?.length && !showAll ? ` ending in ${request.extensions.join(', ')}` : ''}.</li>}
      </ul>
      {listing?.truncated && <p className="muted small">Only the first 2,000 entries are listed.</p>}
      <div className="row picker-foot">
        {request.kind === 'file' && request.extensions?.length && canShowAll ? (
          <label className="check small">
            <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} /> show all files (this node reads {request.extensions.join(', ')})
          </label>
        ) : (
          <span />
        )}
        <span className="spacer" />
        {onCancel && <button onClick={onCancel}>Cancel</button>}
        {request.kind === 'folder' ? (
          <button className="primary" disabled={!listing} onClick={() => listing && onPick(selected ?? listing.path)} data-testid="picker-choose">
            Choose {selected ? 'selected' : 'this'} folder
          </button>
        ) : (
          <button className="primary" disabled={!selected} onClick={() => selected && onPick(selected)} data-testid="picker-choose">
            {chooseLabel ?? 'Choose file'}
          </button>
        )}
      </div>
    </div>
  );
}
