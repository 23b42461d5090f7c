import { describe, expect, it } from 'vitest';
import { COMMANDS, SHORTCUT_SHEET, commandTooltip, keysLabel, menuAccelerator, type CommandId } from './commands.ts';

describe('command registry', () => {
  it('shows keys the way the shortcut sheet always has', () => {
    expect(keysLabel('redo')).toBe('Ctrl+Shift+Z (Ctrl+Y)');
    expect(keysLabel('delete')).toBe('Delete / Backspace');
    expect(keysLabel('clear-selection')).toBe('Esc');
    expect(keysLabel('run')).toBe('Ctrl+Enter');
  });

  it('names toolbar buttons in sentence case with their main key', () => {
    expect(commandTooltip('save-as')).toBe('Save as (Ctrl+Shift+S)');
    expect(commandTooltip('open')).toBe('Open (Ctrl+O)');
    expect(commandTooltip('tidy')).toBe('Tidy layout (L)');
    expect(commandTooltip('fit')).toBe('Fit view (F)');
    expect(commandTooltip('shortcuts')).toBe('Keyboard shortcuts (?)');
    expect(commandTooltip('templates')).toBe('Templates');
  });

  it("gives the desktop menu each platform's accelerator, bare letters marked, other keys left to the renderer", () => {
    expect(menuAccelerator('save-as', false)).toEqual({ accelerator: 'CmdOrCtrl+Shift+S', bare: false });
    expect(menuAccelerator('redo', false)).toEqual({ accelerator: 'CmdOrCtrl+Y', bare: false });
    expect(menuAccelerator('redo', true)).toEqual({ accelerator: 'CmdOrCtrl+Shift+Z', bare: false });
    expect(menuAccelerator('fit', false)).toEqual({ accelerator: 'F', bare: true });
    expect(menuAccelerator('delete', false)).toBeNull();
    expect(menuAccelerator('shortcuts', false)).toBeNull();
    expect(menuAccelerator('history', false)).toBeNull();
  });

  it('never gives two commands the same key', () => {
    const keys = Object.entries(COMMANDS).flatMap(([, c]) => [...('keys' in c ? c.keys : []), ...('alsoKeys' in c ? c.alsoKeys : [])]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('lists on the sheet only commands that have keys', () => {
    for (const row of SHORTCUT_SHEET) if ('commands' in row) for (const id of row.commands) expect(keysLabel(id as CommandId)).not.toBe('');
  });
});
