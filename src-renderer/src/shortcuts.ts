import { useEffect, useRef } from 'react';

export interface ShortcutActions {
  undo(): void;
  redo(): void;
  save(): void;
  saveAs(): void;
  open(): void;
  newGraph(): void;
  remove(): void;
  copy(): void;
  cut(): void;
  paste(): void;
  duplicate(): void;
  selectAll(): void;
  fit(): void;
  layout(): void;
  run(): void;
  escape(): void;
  help(): void;
}

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

/** Editor keyboard shortcuts (Ctrl on Linux/Windows, Cmd on macOS); never while typing in a field. */
export function useShortcuts(actions: ShortcutActions): void {
  const ref = useRef(actions);
  ref.current = actions;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const a = ref.current;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      // Saving and opening work from inside a field too.
      if (mod && key === 's') {
        e.preventDefault();
        return e.shiftKey ? a.saveAs() : a.save();
      }
      if (mod && key === 'o') return e.preventDefault(), a.open();
      if (mod && key === 'enter') return e.preventDefault(), a.run();
      if (typing(e.target) || document.querySelector('.modal')) return;
      if (mod && key === 'z') return e.preventDefault(), e.shiftKey ? a.redo() : a.undo();
      if (mod && key === 'y') return e.preventDefault(), a.redo();
      // Every key handled here is claimed (preventDefault), so the desktop menu's accelerator for the
      // same command does not run it a second time.
      if (mod && key === 'c') return e.preventDefault(), a.copy();
      if (mod && key === 'x') return e.preventDefault(), a.cut();
      if (mod && key === 'v') return e.preventDefault(), a.paste();
      if (mod && key === 'd') return e.preventDefault(), a.duplicate();
      if (mod && key === 'a') return e.preventDefault(), a.selectAll();
      if (mod && key === 'n') return e.preventDefault(), a.newGraph();
      if (mod) return;
      if (key === 'delete' || key === 'backspace') return e.preventDefault(), a.remove();
      if (key === 'f') return e.preventDefault(), a.fit();
      if (key === 'l') return e.preventDefault(), a.layout();
      if (key === 'escape') return a.escape();
      if (e.key === '?') return a.help();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
