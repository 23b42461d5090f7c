import { describe, expect, it, vi } from 'vitest';
import type { MenuCommand } from '../../../nodes/sdk/doors/shell-api.ts';
import { isTextField, routeMenuCommand } from './route-menu-command.ts';

const el = (tagName: string, isContentEditable = false) => ({ tagName, isContentEditable }) as unknown as Element;

describe('menu command routing', () => {
  it('sends Edit commands to the graph when no text field has focus', () => {
    const shell = { nativeEdit: vi.fn(async () => undefined) };
    const handler = vi.fn();
    for (const focused of [null, el('BODY'), el('DIV'), el('BUTTON')]) routeMenuCommand({ command: 'paste' }, shell, handler, focused);
    expect(handler).toHaveBeenCalledTimes(4);
    expect(shell.nativeEdit).not.toHaveBeenCalled();
  });

  it('hands Edit commands to the focused text field through the host', () => {
    const shell = { nativeEdit: vi.fn(async () => undefined) };
    const handler = vi.fn();
    routeMenuCommand({ command: 'paste' }, shell, handler, el('INPUT'));
    routeMenuCommand({ command: 'undo' }, shell, handler, el('TEXTAREA'));
    routeMenuCommand({ command: 'select-all' }, shell, handler, el('DIV', true));
    // No native duplicate in a field, and duplicating nodes while typing would surprise.
    routeMenuCommand({ command: 'duplicate' }, shell, handler, el('INPUT'));
    expect(shell.nativeEdit.mock.calls).toEqual([['paste'], ['undo'], ['select-all']]);
    expect(handler).not.toHaveBeenCalled();
  });

  it('sends every other command to the editor, wherever focus is', () => {
    const shell = { nativeEdit: vi.fn(async () => undefined) };
    const handler = vi.fn();
    const commands: MenuCommand[] = [{ command: 'save' }, { command: 'run' }, { command: 'open-recent', path: '/g/a.weft.json' }];
    for (const c of commands) routeMenuCommand(c, shell, handler, el('INPUT'));
    expect(handler.mock.calls.map((c) => c[0])).toEqual(commands);
  });

  it('survives a shell without nativeEdit and a failed native edit', async () => {
    routeMenuCommand({ command: 'copy' }, {}, vi.fn(), el('INPUT'));
    routeMenuCommand({ command: 'copy' }, { nativeEdit: () => Promise.reject(new Error('gone')) }, vi.fn(), el('INPUT'));
    await new Promise((r) => setTimeout(r, 0));
  });

  it('knows a text field the way the keyboard shortcuts do', () => {
    expect(isTextField(el('SELECT'))).toBe(true);
    expect(isTextField(el('SPAN'))).toBe(false);
    expect(isTextField(undefined)).toBe(false);
  });
});
