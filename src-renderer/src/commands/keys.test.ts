import { describe, expect, it } from 'vitest';
import { commandForKey } from './keys.ts';

const press = (key: string, mods: { ctrl?: boolean; meta?: boolean; shift?: boolean } = {}) =>
  commandForKey({ key, ctrlKey: !!mods.ctrl, metaKey: !!mods.meta, shiftKey: !!mods.shift });

describe('keyboard shortcuts', () => {
  it('maps keys to the commands the registry gives them', () => {
    expect(press('s', { ctrl: true })).toBe('save');
    expect(press('S', { ctrl: true, shift: true })).toBe('save-as');
    expect(press('s', { meta: true })).toBe('save');
    expect(press('z', { ctrl: true })).toBe('undo');
    expect(press('Z', { ctrl: true, shift: true })).toBe('redo');
    expect(press('y', { ctrl: true })).toBe('redo');
    expect(press('Enter', { ctrl: true })).toBe('run');
    expect(press('Delete')).toBe('delete');
    expect(press('Backspace')).toBe('delete');
    expect(press('f')).toBe('fit');
    expect(press('l')).toBe('tidy');
    expect(press('Escape')).toBe('clear-selection');
    expect(press('?', { shift: true })).toBe('shortcuts');
  });

  it('lets Shift through where no shortcut claims it, as before', () => {
    expect(press('C', { ctrl: true, shift: true })).toBe('copy');
    expect(press('F', { shift: true })).toBe('fit');
  });

  it('leaves other keys alone: a bare letter with Ctrl, a letter without', () => {
    expect(press('f', { ctrl: true })).toBeNull();
    expect(press('Delete', { ctrl: true })).toBeNull();
    expect(press('s')).toBeNull();
    expect(press('q', { ctrl: true })).toBeNull();
  });
});
