/**
 * "dataset.file in skip mode after an unterminated CSV quote reported 'records 9, skipped 1' and
 * succeeded, while 51 of 60 rows were never read (only the log said so)" (issue 10). Through the
 * engine: the counts add up to the file, the run record carries the warning (the editor's badge and
 * the CLI read it from there), and a cache hit keeps it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDefaultHost } from '../src-main/host/default-host.ts';
import { newRunView, runViewFromRecord } from '../src-renderer/src/runs/run-view.ts';
import { graphOf, tempDir } from './helpers.ts';

const workspace = tempDir();
const host = await openDefaultHost(workspace);
afterAll(() => host.close());

describe('a success that lost rows says so', () => {
  it('counts the 51 unread rows as skipped and keeps the warning in the record, also when cached', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => (i === 9 ? `${i},"broken` : `${i},row ${i}`));
    const file = join(workspace, 'sixty.csv');
    writeFileSync(file, ['n,text', ...rows, ''].join('\n'));
    const graph = graphOf([{ id: 'data', type: 'dataset.file', version: 2, params: { file, onBadRecord: 'skip' } }]);

    const first = await host.waitForRun((await host.startRun({ graph })).runId);
    expect(first.state).toBe('succeeded');
    expect(first.nodes.data!.metrics).toMatchObject({ records: 9, skipped: 51 });
    const warning = 'skipped sixty.csv:11: unterminated quote in the row starting here; the rest of the file was not read: 51 line(s) left out, counted as skipped';
    expect(first.nodes.data!.warnings).toEqual([warning, '51 bad record(s) skipped in total']);
    expect(runViewFromRecord(first, await host.getRunEvents(first.id)).nodes.data!.warnings).toHaveLength(2);

    const again = await host.waitForRun((await host.startRun({ graph })).runId);
    expect(again.nodes.data!.state).toBe('cached');
    expect(again.nodes.data!.warnings).toEqual(first.nodes.data!.warnings);
    // The editor's badge reads the view: a cached node logged nothing in this run, the record has them.
    expect(newRunView(again.id, again).nodes.data!.warnings).toEqual(first.nodes.data!.warnings);
    expect(runViewFromRecord(again, await host.getRunEvents(again.id)).nodes.data!.warnings).toHaveLength(2);
  }, 120_000);
});
