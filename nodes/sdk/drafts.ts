/**
 * An editor window's unsaved work, kept in the workspace (not in the browser's per-origin storage,
 * which a new `weft serve` on another port cannot read), so any window of any launch recovers it.
 */
export interface GraphDraft {
  /** The graph as the editor holds it (checked when it is loaded back). */
  graph: unknown;
  /** The file it was opened from or saved to, or null for a new graph. */
  path: string | null;
  graphDir: string | null;
  savedAt: string;
}

/** A window's id: letters and digits, kept by the window across reloads (sessionStorage). */
export const WINDOW_ID = /^[a-z0-9]{4,32}$/;
