import { describe, expect, it } from 'vitest';
import { documentName, windowTitle } from './document-state.ts';

describe('document title', () => {
  it('marks unsaved edits with a bullet, except on macOS where the close button shows them', () => {
    expect(windowTitle({ path: '/g/a.weft.json', dirty: true, title: 'tiny-gpt' }, 'linux')).toBe('• tiny-gpt — Weft');
    expect(windowTitle({ path: '/g/a.weft.json', dirty: false, title: 'tiny-gpt' }, 'win32')).toBe('tiny-gpt — Weft');
    expect(windowTitle({ path: '/g/a.weft.json', dirty: true, title: 'tiny-gpt' }, 'darwin')).toBe('tiny-gpt — Weft');
  });

  it('falls back to the file name, then Untitled', () => {
    expect(documentName({ path: '/g/a.weft.json', dirty: false, title: '  ' })).toBe('a.weft.json');
    expect(documentName({ path: null, dirty: false, title: '' })).toBe('Untitled');
  });
});
