import { describe, expect, it, vi } from 'vitest';
import { CANCEL, DISCARD, guardDirtyClose, type GuardedWindow } from './close-guard.ts';
import { DocumentStates } from './document-state.ts';

vi.mock('electron', () => ({}));

function fakeWindow() {
  let onClose: ((event: { preventDefault(): void }) => void) | undefined;
  const win = {
    on: (_event: 'close', fn: typeof onClose) => (onClose = fn),
    close: vi.fn(() => tryClose()),
    isDestroyed: () => false,
    setTitle: vi.fn(),
    setRepresentedFilename: vi.fn(),
    setDocumentEdited: vi.fn(),
  };
  /** Emits 'close' as Electron does; true when nothing prevented it. */
  const tryClose = () => {
    let prevented = false;
    onClose!({ preventDefault: () => (prevented = true) });
    return !prevented;
  };
  return { win: win as GuardedWindow & typeof win, tryClose };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('closing a window with unsaved edits', () => {
  it('closes a clean window without asking', () => {
    const documents = new DocumentStates('linux');
    const showMessageBox = vi.fn();
    const { win, tryClose } = fakeWindow();
    guardDirtyClose(win, { documents, showMessageBox });
    expect(tryClose()).toBe(true);
    documents.apply(win, { path: '/g/a.weft.json', dirty: false, title: 'a' });
    expect(tryClose()).toBe(true);
    expect(showMessageBox).not.toHaveBeenCalled();
  });

  it('asks "Discard unsaved changes to NAME?"; Cancel keeps the window open', async () => {
    const documents = new DocumentStates('linux');
    const showMessageBox = vi.fn(async () => ({ response: CANCEL }));
    const onCancel = vi.fn();
    const { win, tryClose } = fakeWindow();
    guardDirtyClose(win, { documents, showMessageBox, onCancel });
    documents.apply(win, { path: '/g/a.weft.json', dirty: true, title: 'tiny-gpt' });
    expect(tryClose()).toBe(false);
    await flush();
    expect(showMessageBox).toHaveBeenCalledOnce();
    const options = (showMessageBox.mock.calls[0] as unknown[])[1] as { message: string; detail: string; buttons: string[]; cancelId: number };
    expect(options.message).toBe('Discard unsaved changes to tiny-gpt?');
    expect(options.buttons).toEqual(['Cancel', 'Discard']);
    expect(options.cancelId).toBe(CANCEL);
    expect(options.detail).toMatch(/autosave/);
    expect(win.close).not.toHaveBeenCalled();
    expect(onCancel).toHaveBeenCalledOnce();
    expect(documents.isDirty(win)).toBe(true);
  });

  it('Discard closes the window', async () => {
    const documents = new DocumentStates('linux');
    const showMessageBox = vi.fn(async () => ({ response: DISCARD }));
    const onDiscard = vi.fn();
    const { win, tryClose } = fakeWindow();
    guardDirtyClose(win, { documents, showMessageBox, onDiscard });
    documents.apply(win, { path: null, dirty: true, title: '' });
    expect(tryClose()).toBe(false);
    await flush();
    expect((showMessageBox.mock.calls[0] as unknown[])[1]).toMatchObject({ message: 'Discard unsaved changes to Untitled?' });
    expect(onDiscard).toHaveBeenCalledOnce();
    expect(win.close).toHaveBeenCalledOnce();
    expect(win.close.mock.results[0]!.value).toBe(true);
  });

  it('asks once even when close is pressed again while the question is open', async () => {
    const documents = new DocumentStates('linux');
    const showMessageBox = vi.fn(async () => ({ response: CANCEL }));
    const { win, tryClose } = fakeWindow();
    guardDirtyClose(win, { documents, showMessageBox });
    documents.apply(win, { path: null, dirty: true, title: 'g' });
    expect(tryClose()).toBe(false);
    expect(tryClose()).toBe(false);
    await flush();
    expect(showMessageBox).toHaveBeenCalledOnce();
  });
});
