/**
 * A training set and a held-out set of tokens from either a Dataset (its train split, and its
 * validation split when it has one) or a Text file (its first 90% and last 10%), for nodes that take
 * either: continual training (new and old data) and pruning's recovery fine-tune.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetHandle, TextHandle } from '../../sdk/index.ts';
import { withSplitFiles } from '../dataset.ts';
import { tokenStream } from '../token-stream.ts';
import { MemoryTokens, type TokenSource } from '../token-source.ts';
import { EOS, type TextTokenizer } from '../tokenizer.ts';

export interface TokenSets {
  train: TokenSource;
  heldOut: TokenSource;
  /** Where the held-out tokens come from, in words, for logs. */
  heldOutName: string;
  close(): void;
}

/** `dir` keeps the token files (a checkpoint folder: they survive an interruption); one per input. */
export async function openTokenSets(tok: TextTokenizer, input: DatasetHandle | TextHandle, dir: string, what: string): Promise<TokenSets> {
  mkdirSync(dir, { recursive: true });
  if (input.kind === 'text') {
    const ids = await tok.encode(readFileSync(input.path, 'utf8'));
    const eos = tok.specials[EOS];
    const all = Int32Array.from(eos !== undefined ? [...ids, eos] : ids);
    const cut = Math.floor(all.length * 0.9);
    return { train: new MemoryTokens(all.subarray(0, cut)), heldOut: new MemoryTokens(all.subarray(cut)), heldOutName: `the last 10% of ${what}`, close() {} };
  }
  const dataset = withSplitFiles(input);
  const train = await tokenStream(tok, dataset, 'train', dir);
  if (!train) throw new Error(`${what} has no train split; add a Split node`);
  const validation = await tokenStream(tok, dataset, 'validation', dir);
  return {
    train,
    heldOut: validation ?? train,
    heldOutName: validation ? `the validation split of ${what}` : `the train split of ${what} (it has no validation split)`,
    close() {
      train.close();
      validation?.close();
    },
  };
}

/** Checks a set is long enough for one training window. */
export function needTokens(source: TokenSource, context: number, what: string): void {
  if (source.length < context + 2) throw new Error(`${what} has ${source.length} tokens; at least ${context + 2} are needed for one sequence of ${context}`);
}
