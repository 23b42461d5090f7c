import { createHash } from 'node:crypto';
import { createReadStream, promises as fs, type Stats } from 'node:fs';
import { join, relative } from 'node:path';

/** JSON with sorted keys, so equal values always hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .filter((k) => obj[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface SignatureParts {
  type: string;
  version: number;
  /** Only present when a node declares one, so other nodes' signatures (and caches) stay as they were. */
  revision?: number;
  params: Record<string, unknown>;
  seed: number;
  /** Per input port: the upstream node's signature and output port. */
  inputs: Record<string, string>;
  /** Per file/folder param: the content hash of what it points at. */
  files: Record<string, string>;
}

export function nodeSignature(parts: SignatureParts): string {
  return sha256(canonicalJson(parts));
}

/** A per-node seed derived from the graph seed and the node id: stable across runs, distinct across nodes. */
export function nodeSeed(graphSeed: number, nodeId: string): number {
  return parseInt(sha256(`${graphSeed}:${nodeId}`).slice(0, 8), 16);
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.isFile()) out.push(full);
    }
  }
  return out.sort();
}

/**
 * Content hashes of files and folders, remembered by (path, size, mtime) so an unchanged 1 GB
 * corpus is read once per process, not once per run.
 */
export class ContentHasher {
  private readonly memo = new Map<string, { key: string; hash: string }>();

  /** `checked`: the path's stat when the caller already has it (a file param checked a moment ago). */
  async hash(path: string, checked?: Stats): Promise<string> {
    const stat = checked ?? (await fs.stat(path));
    if (stat.isDirectory()) {
      const parts: string[] = [];
      for (const file of await listFiles(path)) parts.push(`${relative(path, file)}\u0000${await this.hash(file)}`);
      return sha256(parts.join('\n'));
    }
    const key = `${stat.size}:${stat.mtimeMs}`;
    const known = this.memo.get(path);
    if (known && known.key === key) return known.hash;
    const hash = await hashFile(path);
    this.memo.set(path, { key, hash });
    return hash;
  }
}
