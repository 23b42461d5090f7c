/**
 * Unsaved editor drafts in the workspace: drafts/<windowId>.json, written atomically. A window
 * touches its file every few seconds while open; a file not touched for STALE_MS belongs to a window
 * that is gone, and the next window to start adopts the newest such draft.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { parseGraphValue, WINDOW_ID, type GraphDraft } from '../../nodes/sdk/index.ts';
import { sweepStaleTemps, writeJsonAtomic } from './atomic.ts';

/** Three missed heartbeats (every 2 s): the window is closed or crashed. */
export const STALE_MS = 6000;

export class DraftStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    sweepStaleTemps(dir);
  }

  private file(windowId: string): string {
    if (!WINDOW_ID.test(windowId)) throw new Error(`not a window id: ${windowId}`);
    return join(this.dir, `${windowId}.json`);
  }

  async put(windowId: string, draft?: GraphDraft | null): Promise<void> {
    const file = this.file(windowId);
    if (draft === null) return rmSync(file, { force: true });
    if (draft === undefined) {
      // The heartbeat: a touch, no write (a window beats every 2 s for as long as it is open).
      if (existsSync(file)) utimesSync(file, new Date(), new Date());
      return;
    }
    await writeJsonAtomic(file, draft);
  }

  private read(file: string): GraphDraft | null {
    try {
      const draft = JSON.parse(readFileSync(file, 'utf8')) as GraphDraft;
      // A draft the editor could not load is no recovery: it is dropped, not offered.
      return parseGraphValue(draft.graph).ok ? draft : null;
    } catch {
      return null;
    }
  }

  take(windowId: string, now = Date.now()): GraphDraft | null {
    const own = this.file(windowId);
    if (existsSync(own)) return this.read(own);
    let best: { file: string; draft: GraphDraft } | null = null;
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.json') || !WINDOW_ID.test(name.slice(0, -5))) continue;
      const file = join(this.dir, name);
      try {
        if (now - statSync(file).mtimeMs < STALE_MS) continue; // its window is open
      } catch {
        continue;
      }
      const draft = this.read(file);
      if (!draft) {
        rmSync(file, { force: true });
        continue;
      }
      if (!best || draft.savedAt > best.draft.savedAt) best = { file, draft };
    }
    if (!best) return null;
    // Adopted: the draft is this window's now, so no other window recovers it a second time (and
    // fresh, or it would look abandoned until this window's first heartbeat).
    try {
      renameSync(best.file, own);
      utimesSync(own, new Date(now), new Date(now));
    } catch {
      return null; // another window starting at the same moment took it first
    }
    return best.draft;
  }
}
