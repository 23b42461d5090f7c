/** Runs bench/full-disk-probe.sh in a user namespace (a real, tiny tmpfs) and reads its figures. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../test/helpers.ts';

const SCRIPT = fileURLToPath(new URL('../full-disk-probe.sh', import.meta.url));

export interface FullDiskFigures {
  skipped?: string;
  runExit: number;
  message: string;
  tempFiles: number;
  bytesAfter: number;
  state: string;
  resumeExit: number;
}

export function probeFullDisk(): FullDiskFigures {
  const out = spawnSync('unshare', ['-rm', 'sh', SCRIPT], { encoding: 'utf8', env: { ...process.env, WEFT_PROBE_DIR: tempDir('weft-probe-disk-') }, timeout: 300_000 });
  const text = `${out.stdout ?? ''}${out.stderr ?? ''}`;
  if (out.error || !text.includes('--- run on a full disk') || /unshare: /.test(text)) {
    return { skipped: `no user namespace here (${(out.error?.message ?? text.split('\n')[0] ?? '').slice(0, 100)})`, runExit: -1, message: '', tempFiles: -1, bytesAfter: -1, state: '', resumeExit: -1 };
  }
  const exits = [...text.matchAll(/exit code (\d+)/g)].map((m) => Number(m[1]));
  const after = (label: string) => Number(text.split(label)[1]?.trim().split('\n')[0] ?? NaN);
  return {
    runExit: exits[0] ?? -1,
    message: /failed: (the disk holding .*)$/m.exec(text)?.[1] ?? '(no full-disk message)',
    tempFiles: after('--- temp files left:'),
    bytesAfter: after('--- bytes used after the failure:'),
    state: /"state": "([a-z]+)"/.exec(text)?.[1] ?? '?',
    resumeExit: exits[1] ?? -1,
  };
}
