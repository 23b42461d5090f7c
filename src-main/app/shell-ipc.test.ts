import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BrowserWindow, IpcMain } from 'electron';
import { SHELL_METHODS } from '../../nodes/sdk/doors/shell-api.ts';
import { guardDirtyClose } from './close-guard.ts';
import { DocumentStates } from './document-state.ts';
import { RecentFiles } from './recent-files.ts';
import { bindShell, pickPathDialogOptions, suggestedFileName, withGraphSuffix, type ShellDeps } from './shell-ipc.ts';

vi.mock('electron', () => ({}));

const APP = 'file:///opt/weft/out/renderer/index.html';
const isAppUrl = (url: string) => url === APP;

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'weft-shell-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setup(platform: NodeJS.Platform = 'linux') {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>();
  const ipc = { handle: (ch: string, fn: never) => handlers.set(ch, fn), removeHandler: (ch: string) => handlers.delete(ch) } as unknown as IpcMain;
  const win = { setTitle: vi.fn(), setRepresentedFilename: vi.fn(), setDocumentEdited: vi.fn() };
  const sender = { undo: vi.fn(), paste: vi.fn(), selectAll: vi.fn() };
  const deps: ShellDeps = {
    dialog: {
      showOpenDialog: vi.fn(async () => ({ canceled: false, filePaths: ['/picked/a.weft.json'] })),
      showSaveDialog: vi.fn(async () => ({ canceled: false, filePath: '/picked/model' })),
    } as never,
    shell: { showItemInFolder: vi.fn() },
    windowFor: () => win as unknown as BrowserWindow,
    graphsDir: join(dir, 'workspace', 'graphs'),
    recent: new RecentFiles({ dir: join(dir, 'user-data') }),
    documents: new DocumentStates(platform),
    platform,
  };
  bindShell(ipc, deps, isAppUrl);
  const call = (method: string, ...args: unknown[]) => handlers.get(`weft-shell:${method}`)!({ senderFrame: { url: APP, parent: null }, sender }, ...args);
  return { handlers, deps, win, sender, call, ipc };
}

describe('shell IPC', () => {
  it('binds exactly the shell methods and can unbind them', () => {
    const handlers = new Map<string, unknown>();
    const ipc = { handle: (ch: string, fn: unknown) => handlers.set(ch, fn), removeHandler: (ch: string) => handlers.delete(ch) };
    const unbind = bindShell(ipc as never, setup().deps, isAppUrl);
    expect([...handlers.keys()].sort()).toEqual(SHELL_METHODS.map((m) => `weft-shell:${m}`).sort());
    unbind();
    expect(handlers.size).toBe(0);
  });

  it('lets graphs read a path the user picked in the native dialog, and nothing when cancelled', async () => {
    const { deps, call } = setup();
    const picked: string[] = [];
    deps.onPicked = (p) => picked.push(p);
    expect(await call('pickPath', { kind: 'file', extensions: ['txt'] })).toBe('/picked/a.weft.json');
    vi.mocked(deps.dialog.showOpenDialog).mockResolvedValueOnce({ canceled: true, filePaths: [] } as never);
    expect(await call('pickPath', { kind: 'folder' })).toBeNull();
    expect(picked).toEqual(['/picked/a.weft.json']);
  });

  it('refuses requests from another origin or a sub-frame', async () => {
    const { handlers, deps } = setup();
    const reveal = handlers.get('weft-shell:revealPath')!;
    await expect(reveal({ senderFrame: { url: 'https://evil.example/', parent: null }, sender: {} }, dir)).rejects.toThrow(/did not come from Weft's own window/);
    await expect(reveal({ senderFrame: { url: APP, parent: { url: APP } }, sender: {} }, dir)).rejects.toThrow(/did not come from Weft's own window/);
    await expect(reveal({ senderFrame: null, sender: {} }, dir)).rejects.toThrow(/refused revealPath/);
    expect(deps.shell.showItemInFolder).not.toHaveBeenCalled();
  });

  it('refuses bad arguments with a message naming the argument', async () => {
    const { call, deps } = setup();
    await expect(call('revealPath', 42)).rejects.toThrow(/refused revealPath: path:/);
    await expect(call('revealPath', 'x'.repeat(4097))).rejects.toThrow(/refused revealPath: path:/);
    await expect(call('revealPath', '/tmp/a\0b')).rejects.toThrow(/path: must not contain a NUL byte/);
    await expect(call('chooseGraphSavePath', 'n'.repeat(201))).rejects.toThrow(/suggestedName:/);
    await expect(call('pickPath', { kind: 'file', extensions: ['.txt'] })).rejects.toThrow(/options\.extensions\.0:/);
    await expect(call('pickPath', { kind: 'file', exec: 'rm' })).rejects.toThrow(/refused pickPath: options/);
    await expect(call('pickPath', { kind: 'drive' })).rejects.toThrow(/options\.kind/);
    await expect(call('setDocumentState', { path: null, dirty: 'yes', title: 'g' })).rejects.toThrow(/state\.dirty/);
    await expect(call('nativeEdit', 'print')).rejects.toThrow(/action:/);
    await expect(call('listRecentFiles', 'extra')).rejects.toThrow(/refused listRecentFiles/);
    expect(deps.dialog.showOpenDialog).not.toHaveBeenCalled();
    expect(deps.shell.showItemInFolder).not.toHaveBeenCalled();
  });

  it('reveals only absolute paths that exist, and only in the file manager', async () => {
    const { call, deps } = setup();
    const file = join(dir, 'a.txt');
    writeFileSync(file, 'x');
    await expect(call('revealPath', 'a.txt')).rejects.toThrow(/not an absolute path/);
    await expect(call('revealPath', join(dir, 'missing.txt'))).rejects.toThrow(/does not exist/);
    expect(deps.shell.showItemInFolder).not.toHaveBeenCalled();
    await call('revealPath', file);
    expect(deps.shell.showItemInFolder).toHaveBeenCalledWith(file);
    expect(Object.keys(deps.shell)).toEqual(['showItemInFolder']);
  });

  it('opens a graph from the workspace graphs folder, created if missing, on the sender window', async () => {
    const { call, deps, win } = setup();
    expect(await call('chooseGraphToOpen')).toBe('/picked/a.weft.json');
    expect(existsSync(deps.graphsDir)).toBe(true);
    expect(deps.dialog.showOpenDialog).toHaveBeenCalledWith(win, expect.objectContaining({ defaultPath: deps.graphsDir, properties: ['openFile'], filters: [{ name: 'Weft graph', extensions: ['weft.json'] }, { name: 'All files', extensions: ['*'] }] }));
    vi.mocked(deps.dialog.showOpenDialog).mockResolvedValueOnce({ canceled: true, filePaths: [] });
    expect(await call('chooseGraphToOpen')).toBeNull();
  });

  it('appends .weft.json to a save path that lacks it and starts in graphs/', async () => {
    const { call, deps } = setup();
    expect(await call('chooseGraphSavePath', 'My graph')).toBe('/picked/model.weft.json');
    expect((vi.mocked(deps.dialog.showSaveDialog).mock.calls[0] as unknown[])[1]).toMatchObject({ defaultPath: join(deps.graphsDir, 'My graph.weft.json') });
    vi.mocked(deps.dialog.showSaveDialog).mockResolvedValueOnce({ canceled: true, filePath: '' });
    expect(await call('chooseGraphSavePath', 'x')).toBeNull();
    expect(withGraphSuffix('/g/a.weft.json')).toBe('/g/a.weft.json');
    expect(withGraphSuffix('/g/a.json')).toBe('/g/a.weft.json');
    expect(withGraphSuffix('/g/a.txt')).toBe('/g/a.txt.weft.json');
    expect(suggestedFileName('../../etc/passwd')).toBe('passwd.weft.json');
    expect(suggestedFileName('a.weft.json')).toBe('a.weft.json');
    expect(suggestedFileName('')).toBe('untitled.weft.json');
  });

  it('offers a file picker with extension filters plus All files, or a folder picker', async () => {
    const { call, deps, win } = setup();
    await call('pickPath', { kind: 'file', extensions: ['txt', 'jsonl'], title: 'Corpus' });
    expect(deps.dialog.showOpenDialog).toHaveBeenCalledWith(win, {
      title: 'Corpus',
      filters: [{ name: '.txt, .jsonl', extensions: ['txt', 'jsonl'] }, { name: 'All files', extensions: ['*'] }],
      properties: ['openFile'],
    });
    expect(pickPathDialogOptions({ kind: 'folder', defaultPath: '/data' })).toEqual({ title: 'Choose a folder', defaultPath: '/data', properties: ['openDirectory', 'createDirectory'] });
  });

  it('keeps the recent list', async () => {
    const { call } = setup();
    const a = join(dir, 'a.weft.json');
    writeFileSync(a, '{}');
    await call('addRecentFile', a);
    expect(await call('listRecentFiles')).toEqual([a]);
    await call('removeRecentFile', a);
    expect(await call('listRecentFiles')).toEqual([]);
  });

  it('sets the window title and remembers the document per window', async () => {
    const { call, deps, win } = setup();
    await call('setDocumentState', { path: '/g/a.weft.json', dirty: true, title: 'a' });
    expect(win.setTitle).toHaveBeenCalledWith('• a — Weft');
    expect(deps.documents.isDirty(win)).toBe(true);
    expect(win.setDocumentEdited).not.toHaveBeenCalled();
  });

  it('asks before closing a window the renderer reported dirty; Cancel keeps it open', async () => {
    const { call, deps, win } = setup();
    let onClose: ((e: { preventDefault(): void }) => void) | undefined;
    const guarded = Object.assign(win, { on: (_: string, fn: typeof onClose) => (onClose = fn), close: vi.fn(), isDestroyed: () => false });
    const showMessageBox = vi.fn(async () => ({ response: 0 }));
    guardDirtyClose(guarded, { documents: deps.documents, showMessageBox });
    await call('setDocumentState', { path: '/g/a.weft.json', dirty: true, title: 'a' });
    const preventDefault = vi.fn();
    onClose!({ preventDefault });
    await new Promise((r) => setTimeout(r, 0));
    expect(preventDefault).toHaveBeenCalledOnce();
    expect(showMessageBox).toHaveBeenCalledWith(guarded, expect.objectContaining({ message: 'Discard unsaved changes to a?' }));
    expect(guarded.close).not.toHaveBeenCalled();
    await call('setDocumentState', { path: '/g/a.weft.json', dirty: false, title: 'a' });
    onClose!({ preventDefault });
    expect(preventDefault).toHaveBeenCalledOnce();
  });

  it('sets the represented file and edited marker on macOS', async () => {
    const { call, win } = setup('darwin');
    await call('setDocumentState', { path: '/g/a.weft.json', dirty: true, title: 'a' });
    expect(win.setTitle).toHaveBeenCalledWith('a — Weft');
    expect(win.setRepresentedFilename).toHaveBeenCalledWith('/g/a.weft.json');
    expect(win.setDocumentEdited).toHaveBeenCalledWith(true);
  });

  it('runs native editing on the sender for a focused text field', async () => {
    const { call, sender } = setup();
    await call('nativeEdit', 'paste');
    await call('nativeEdit', 'select-all');
    expect(sender.paste).toHaveBeenCalledOnce();
    expect(sender.selectAll).toHaveBeenCalledOnce();
    expect(sender.undo).not.toHaveBeenCalled();
  });
});

