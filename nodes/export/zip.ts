/** A folder as one .zip (stored: weights do not compress), written chunk by chunk with fflate. */
import { closeSync, createReadStream, openSync, readdirSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Zip, ZipPassThrough } from 'fflate';

export async function zipFolder(dir: string, rootName: string, out: string, signal?: AbortSignal): Promise<number> {
  const tmp = `${out}.partial`;
  const fd = openSync(tmp, 'w');
  let bytes = 0;
  let failed: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) failed = err;
    else {
      writeSync(fd, chunk);
      bytes += chunk.length;
    }
  });
  try {
    for (const name of readdirSync(dir).sort()) {
      signal?.throwIfAborted();
      const entry = new ZipPassThrough(`${rootName}/${name}`);
      zip.add(entry);
      for await (const chunk of createReadStream(join(dir, name))) entry.push(new Uint8Array(chunk as Buffer));
      entry.push(new Uint8Array(0), true);
      if (failed) throw failed;
    }
    zip.end();
    if (failed) throw failed;
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, out);
  return bytes;
}
