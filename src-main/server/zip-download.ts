/**
 * A node's folder as one .zip download, streamed file by file (stored, not compressed: weights do
 * not compress, and storing keeps a 500 MB model at memory of one chunk). fflate writes the zip.
 */
import { createReadStream } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { Zip, ZipPassThrough } from 'fflate';

export interface ArchiveEntries {
  /** The name of the download, without .zip. */
  name: string;
  files: Array<{ path: string; full: string }>;
}

export async function sendZip(entries: ArchiveEntries, res: ServerResponse, headers: Record<string, string>): Promise<void> {
  const name = entries.name.replace(/[^\w.-]/g, '_');
  res.writeHead(200, { ...headers, 'Content-Type': 'application/zip', 'Content-Disposition': `attachment; filename="${name}.zip"` });
  let failed: Error | null = null;
  const zip = new Zip((err, chunk, final) => {
    if (err) failed = err;
    else if (!res.destroyed) res.write(chunk);
    if (final) res.end();
  });
  const drained = () => (res.writableNeedDrain ? new Promise<void>((r) => res.once('drain', () => r())) : Promise.resolve());
  for (const f of entries.files) {
    if (res.destroyed || failed) break;
    const entry = new ZipPassThrough(`${name}/${f.path}`);
    zip.add(entry);
    for await (const chunk of createReadStream(f.full)) {
      entry.push(new Uint8Array(chunk as Buffer));
      await drained();
      if (res.destroyed) break;
    }
    entry.push(new Uint8Array(0), true);
  }
  if (failed || res.destroyed) return void res.destroy();
  zip.end();
}
