import { createReadStream, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodedStream } from '../nodes/lib/text-decode.ts';
/** Throughput of the checked decoder (dataset.file, text.load) against a plain read of the same file. */
const FILE = join(tmpdir(), `weft-decode-bench-${process.pid}.jsonl`);

async function drain(s: NodeJS.ReadableStream) { let n = 0; for await (const c of s) n += (c as Buffer).length; return n; }
async function main() {
  const line = JSON.stringify({ text: 'Call me Ishmael. Some years ago—never mind how long precisely—having little or no money in my purse, naïve café ✓' }) + '\n';
  writeFileSync(FILE, line.repeat(Math.ceil(100e6 / Buffer.byteLength(line))));
  const mb = statSync(FILE).size / 1e6;
  for (let i = 0; i < 2; i++) {
    let t = performance.now(); await drain(createReadStream(FILE, { highWaterMark: 1 << 16 })); const raw = performance.now() - t;
    t = performance.now(); await drain(decodedStream(createReadStream(FILE, { highWaterMark: 1 << 16 }), { name: 'b' })); const dec = performance.now() - t;
    console.log(`${mb.toFixed(0)} MB: plain read ${(mb / raw * 1000).toFixed(0)} MB/s, checked decode ${(mb / dec * 1000).toFixed(0)} MB/s`);
  }
  rmSync(FILE, { force: true });
}
void main();
