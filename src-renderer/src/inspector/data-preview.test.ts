import { describe, expect, it } from 'vitest';
import { layoutsLine, previewColumns, recordCell } from './data-preview.ts';

describe('dataset rows in the inspector', () => {
  it('shows a conversation one turn per line, chat segments with the learned pieces marked, other objects as JSON', () => {
    expect(recordCell([{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }])).toBe('user: hi\nassistant: hello');
    expect(recordCell([{ text: 'user: hi\nassistant: ', learn: false }, { text: 'hello', learn: true }])).toBe('user: hi\nassistant: [learn] hello');
    expect(recordCell({ a: 1 })).toBe('{"a":1}');
    expect(recordCell(undefined)).toBeNull();
    expect(recordCell('x')).toBe('x');
  });

  it('names layouts and collects columns in first-seen order', () => {
    expect(layoutsLine(['alpaca', 'messages'])).toBe('Alpaca (instruction/input/output), chat messages (role/content)');
    expect(previewColumns([{ a: 1 }, { b: 2, a: 3 }])).toEqual(['a', 'b']);
  });
});
