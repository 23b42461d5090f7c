import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MenuCommand, ShellApi } from '../../../nodes/sdk/doors/shell-api.ts';

// A minimal React: one component instance, effects run on "render" when their deps change.
const react = vi.hoisted(() => {
  const state = { refs: [] as Array<{ current: unknown }>, refIndex: 0, deps: undefined as unknown[] | undefined, cleanup: undefined as undefined | (() => void) };
  return {
    state,
    useRef: (initial: unknown) => (state.refs[state.refIndex++] ??= { current: initial }),
    useEffect: (effect: () => void | (() => void), deps: unknown[]) => {
      if (state.deps && deps.every((d, i) => Object.is(d, state.deps![i]))) return;
      state.cleanup?.();
      state.deps = deps;
      state.cleanup = effect() ?? undefined;
    },
  };
});
vi.mock('react', () => ({ useRef: react.useRef, useEffect: react.useEffect }));

const { useMenuCommands } = await import('./use-menu-commands.ts');

function render(shell: ShellApi | null, handler: (c: MenuCommand) => void) {
  react.state.refIndex = 0;
  useMenuCommands(shell, handler);
}
function unmount() {
  react.state.cleanup?.();
  Object.assign(react.state, { refs: [], deps: undefined, cleanup: undefined });
}

function fakeShell() {
  const listeners = new Set<(c: MenuCommand) => void>();
  const shell = {
    onMenuCommand: vi.fn((l: (c: MenuCommand) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    }),
    nativeEdit: vi.fn(async () => undefined),
  } as unknown as ShellApi;
  return { shell, listeners, emit: (c: MenuCommand) => listeners.forEach((l) => l(c)) };
}

afterEach(() => {
  unmount();
  vi.unstubAllGlobals();
});

describe('useMenuCommands', () => {
  it('subscribes while mounted, uses the latest handler without resubscribing, and unsubscribes', () => {
    vi.stubGlobal('document', { activeElement: null });
    const { shell, listeners, emit } = fakeShell();
    const first = vi.fn();
    const second = vi.fn();
    render(shell, first);
    render(shell, second);
    expect(shell.onMenuCommand).toHaveBeenCalledOnce();
    emit({ command: 'save' });
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledWith({ command: 'save' });
    unmount();
    expect(listeners.size).toBe(0);
  });

  it('routes Edit commands to a focused text field', () => {
    vi.stubGlobal('document', { activeElement: { tagName: 'INPUT' } });
    const { shell, emit } = fakeShell();
    const handler = vi.fn();
    render(shell, handler);
    emit({ command: 'paste' });
    expect(shell.nativeEdit).toHaveBeenCalledWith('paste');
    expect(handler).not.toHaveBeenCalled();
  });

  it('does nothing without a shell (the browser)', () => {
    expect(() => render(null, vi.fn())).not.toThrow();
  });
});
