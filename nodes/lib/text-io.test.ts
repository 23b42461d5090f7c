import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DiskFullError } from '../sdk/disk-full.ts';
import { textWriter } from './text-io.ts';

describe('textWriter on a full disk', () => {
  // /dev/full answers every write with ENOSPC, as a full disk does.
  it.runIf(existsSync('/dev/full'))('fails with the path and about how many MB the node was writing', async () => {
    const out = textWriter('/dev/full', { expectedBytes: 5_200_000 });
    const written = (async () => {
      await out.write('x'.repeat(1 << 20));
      await out.close();
    })();
    await expect(written).rejects.toThrow(DiskFullError);
    await expect(written).rejects.toThrow('the disk holding /dev/full is full (needs about 6 MB); free some space, then resume the run');
  });
});
