/**
 * Hugging Face Hub names, light enough for a node spec (no client, no network): a model id's
 * shape, commit hashes, and where a repository lives in the workspace's model cache.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Hub's own rule for repository names: letters, digits, "-", "_", "." ; no "--" or ".." ; at most 96 characters. */
const PART = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$/;

/** Why a model id is not of the form owner/name, or null when it is. */
export function hubModelIdProblem(id: string): string | null {
  if (!id) return 'give a Hub model id, such as HuggingFaceTB/SmolLM2-135M-Instruct';
  if (/^https?:\/\//.test(id)) return `give the model id (owner/name), not a URL: ${id}`;
  const parts = id.split('/');
  if (parts.length !== 2) return `"${id}" is not a Hub model id; it is owner/name, such as HuggingFaceTB/SmolLM2-135M-Instruct`;
  for (const part of parts) {
    if (!PART.test(part) || part.includes('--') || part.includes('..') || part.length > 96) {
      return `"${id}" is not a Hub model id: "${part}" may hold letters, digits, "-", "_" and "." (no "--" or ".."), at most 96 characters`;
    }
  }
  return null;
}

/** Why a revision (branch, tag or commit) cannot be used, or null. */
export function revisionProblem(revision: string): string | null {
  if (!revision) return 'give a revision: a branch (main), a tag or a commit';
  if (revision.length > 200 || revision.split('/').some((p) => p === '' || p === '.' || p === '..') || /[\\\s~^:?*[\]]|\.\.|@\{/.test(revision)) {
    return `"${revision}" is not a valid git revision name`;
  }
  return null;
}

export const isCommitHash = (revision: string): boolean => /^[0-9a-f]{40}$/.test(revision);

/** The workspace's Hub cache (the layout of huggingface_hub's cache: blobs by content, snapshots by commit, refs by name). */
export const hubCacheDir = (workspace: string): string => join(workspace, 'models', 'hub');

/** A model repository's folder in the cache, as huggingface_hub names it: models--owner--name. */
export const hubRepoDir = (cacheDir: string, id: string): string => join(cacheDir, `models--${id.split('/').join('--')}`);

/**
 * The folder of a Hub model's revision in the workspace cache (a branch or tag through its ref, a
 * commit as itself), or null when no run has downloaded it: what validation and the inspector read.
 */
export function cachedSnapshotDir(workspace: string, id: string, revision: string): string | null {
  if (hubModelIdProblem(id) || revisionProblem(revision)) return null;
  const repo = hubRepoDir(hubCacheDir(workspace), id);
  const ref = join(repo, 'refs', ...revision.split('/'));
  const commit = isCommitHash(revision) ? revision : existsSync(ref) ? readFileSync(ref, 'utf8').trim() : '';
  return isCommitHash(commit) ? join(repo, 'snapshots', commit) : null;
}
