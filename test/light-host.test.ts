/**
 * The host stays light: listing node types and validating a graph load every node's spec but no
 * tensor library, no tokenizer binding and no node's run module (those load only in a worker).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function loadsOf(args: string[]): { code: number | null; output: string; loads: string[] } {
  const dir = tempDir();
  const log = join(dir, 'loads.log');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', './test/fixtures/record-loads.mjs', 'src-main/cli.ts', ...args, '--workspace', join(dir, 'ws')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, WEFT_LOAD_LOG: log, NO_COLOR: '1' },
  });
  return { code: r.status, output: r.stdout + r.stderr, loads: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

// Reading a package's package.json (for the versions a run records) loads no code. gpt/config.ts is
// the model's size arithmetic (validation's memory check), importing only the contract and hf-config:
// anything heavy it pulled in would show here by its own name.
const heavy = (loads: string[]) => loads.filter((l) => !l.endsWith('/package.json') && !l.endsWith('nodes/lib/gpt/config.ts') && /@tensorflow|[/ ]tokenizers[/@]|tokenizers$|nodes\/[^/]+\/run\.ts|nodes\/lib\/(backend|gpt|train|tokenizer)/.test(l));

describe('the host loads no heavy code', () => {
  it('`weft nodes` and `weft validate` load every spec but no tfjs, tokenizers, nodes/lib or run module', () => {
    const listed = loadsOf(['nodes']);
    expect(listed.code, listed.output).toBe(0);
    expect(listed.output).toMatch(/train\.sft/);
    // The probe works: the specs themselves were seen loading.
    expect(listed.loads.some((l) => l.includes('nodes/train.sft/index.ts'))).toBe(true);
    expect(heavy(listed.loads)).toEqual([]);

    const validated = loadsOf(['validate', 'examples/chat-sft.weft.json']);
    expect(validated.code, validated.output).toBe(0);
    expect(heavy(validated.loads)).toEqual([]);
  });
});
