import { resolve } from 'node:path';
import type { FolderListing, WeftApi } from '../../nodes/sdk/index.ts';

/**
 * allowPath lets graphs read a file or folder outside the workspace, so it must follow the user's
 * own pick in the editor: Weft's file picker lists a folder (listFolder), the user clicks an entry
 * or "choose this folder", and the page confirms that choice with allowPath. Per connection (web
 * mode) or per window (the desktop app's IPC), only a path the picker showed there may be allowed:
 * a caller that sends allowPath with a path it never browsed to is refused, whatever it holds. (The
 * desktop app's native dialog allows what it returns itself, in the main process.)
 */
export function pickGuarded(api: WeftApi): WeftApi {
  const shown = new Set<string>();
  const remember = (listing: FolderListing) => {
    // Bounded: a long session of browsing keeps the most recent listings' paths.
    if (shown.size > 20_000) shown.clear();
    shown.add(resolve(listing.path));
    for (const entry of listing.entries) shown.add(resolve(entry.path));
    return listing;
  };
  const guarded: WeftApi = Object.create(api) as WeftApi;
  guarded.listFolder = async (path) => remember(await api.listFolder(path));
  guarded.allowPath = async (path) => {
    if (!shown.has(resolve(path))) {
      throw new Error(`refused "${path}": only a file or folder picked in the editor's file picker (Browse…) may be allowed`);
    }
    return api.allowPath(path);
  };
  return guarded;
}
