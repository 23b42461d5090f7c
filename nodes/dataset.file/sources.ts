import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';

export type SourceFormat = 'txt' | 'jsonl' | 'json' | 'csv';
const FORMATS: Record<string, SourceFormat> = { '.txt': 'txt', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.json': 'json', '.csv': 'csv' };
export const EXTENSIONS = Object.keys(FORMATS);

export interface SourceFile {
  path: string;
  /** How the file is named in messages: relative to the chosen folder, or its base name. */
  name: string;
  format: SourceFormat;
  bytes: number;
  /** Name of the folder holding the file, for labels taken from folder names. */
  folder: string;
}

/**
 * Readers that never hold a whole line: a .json array streams element by element (a minified file
 * is one long line), a whole-file .txt record has its own size limit. Other formats cap line length.
 */
export function unboundedLines(format: SourceFormat, txtRecords: string): boolean {
  return format === 'json' || (format === 'txt' && txtRecords === 'file');
}

export function formatOf(path: string): SourceFormat | undefined {
  return FORMATS[extname(path).toLowerCase()];
}

/**
 * The files to read, sorted so record order is stable across runs. Folders are walked recursively;
 * hidden entries and symbolic links are skipped (a link could lead outside the folder the user chose).
 */
export async function listSources(path: string, isFolder: boolean): Promise<{ files: SourceFile[]; ignored: number }> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new Error(`${path} does not exist`);
  if (!isFolder) {
    if (!info.isFile()) throw new Error(`${path} is not a file`);
    const format = formatOf(path);
    if (!format) throw new Error(`${basename(path)}: unsupported file type (use ${EXTENSIONS.join(', ')})`);
    return { files: [{ path, name: basename(path), format, bytes: info.size, folder: basename(join(path, '..')) }], ignored: 0 };
  }
  if (!info.isDirectory()) throw new Error(`${path} is not a folder`);
  const files: SourceFile[] = [];
  let ignored = 0;
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const format = formatOf(full);
        if (!format) {
          ignored++;
          continue;
        }
        files.push({ path: full, name: relative(path, full).split(sep).join('/'), format, bytes: (await stat(full)).size, folder: basename(dir) });
      }
    }
  };
  await walk(path);
  return { files, ignored };
}
