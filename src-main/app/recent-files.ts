/**
 * Recent graph files, newest first, kept in a small JSON file in the app's user-data folder. Plain
 * Node (no electron import): the app passes in its `app` object to mirror the list into the
 * system's recent documents (the Dock menu, the Windows jump list).
 */
import { existsSync, promises as fs } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { writeJsonAtomic } from '../store/atomic.ts';

export const RECENT_FILES_NAME = 'recent-files.json';
export const MAX_RECENT_FILES = 10;

/** The part of Electron's `app` this uses. */
export interface RecentDocumentsHost {
  addRecentDocument(path: string): void;
  clearRecentDocuments(): void;
}

export interface RecentFilesOptions {
  /** Folder of the JSON file: app.getPath('userData') in the app. */
  dir: string;
  app?: RecentDocumentsHost;
  max?: number;
  /** Called with the new list after every change, e.g. to rebuild the menu. */
  onChange?: (files: string[]) => void;
  exists?: (path: string) => boolean;
}

export class RecentFiles {
  readonly file: string;
  private readonly max: number;
  private readonly exists: (path: string) => boolean;
  // Changes run one after another, so two quick saves cannot both read the old list and lose one.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: RecentFilesOptions) {
    this.file = join(options.dir, RECENT_FILES_NAME);
    this.max = options.max ?? MAX_RECENT_FILES;
    this.exists = options.exists ?? existsSync;
  }

  /** The list, without files that have since been moved or deleted. */
  async list(): Promise<string[]> {
    await this.queue.catch(() => undefined);
    return (await this.read()).filter((p) => this.exists(p));
  }

  async add(path: string): Promise<string[]> {
    const entry = normalize(path);
    // A relative path names nothing once the app's working folder differs; keep only real locations.
    if (!isAbsolute(entry)) throw new Error(`recent files: ${path} is not an absolute path`);
    const files = await this.change((list) => [entry, ...list.filter((p) => p !== entry)]);
    this.options.app?.addRecentDocument(entry);
    return files;
  }

  async remove(path: string): Promise<string[]> {
    const entry = normalize(path);
    return this.change((list) => list.filter((p) => p !== entry));
  }

  async clear(): Promise<string[]> {
    const files = await this.change(() => []);
    this.options.app?.clearRecentDocuments();
    return files;
  }

  private change(update: (list: string[]) => string[]): Promise<string[]> {
    const next = this.queue
      .catch(() => undefined)
      .then(async () => {
        const list = update((await this.read()).filter((p) => this.exists(p))).slice(0, this.max);
        await fs.mkdir(this.options.dir, { recursive: true });
        await writeJsonAtomic(this.file, { version: 1, files: list });
        this.options.onChange?.(list);
        return list;
      });
    this.queue = next;
    return next;
  }

  /** A missing, unreadable or corrupt file is an empty list: losing the list must not stop the app. */
  private async read(): Promise<string[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      const data: unknown = JSON.parse(text);
      const files = (data as { files?: unknown } | null)?.files;
      if (!Array.isArray(files)) return [];
      const seen = new Set<string>();
      return files.filter((p): p is string => typeof p === 'string' && isAbsolute(p) && !seen.has(p) && !!seen.add(p)).slice(0, this.max);
    } catch {
      return [];
    }
  }
}
