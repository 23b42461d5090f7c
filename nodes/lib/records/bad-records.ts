import type { NodeLogger } from '../../sdk/index.ts';

export type BadRecordPolicy = 'skip' | 'fail';

/** How many skipped records are logged one by one; past this only the count grows, so logs stay readable. */
const LOGGED = 5;

/**
 * Collects records that cannot be read. In "fail" mode the first one throws, naming file and line
 * (`data.csv:17: expected 3 columns, found 2`); in "skip" mode they are counted and the first few logged.
 */
export class BadRecords {
  count = 0;

  constructor(
    private readonly policy: BadRecordPolicy,
    private readonly log: NodeLogger,
  ) {}

  report(file: string, line: number, message: string): void {
    const where = `${file}:${line}: ${message}`;
    if (this.policy === 'fail') throw new Error(`${where} (set "On bad record" to skip to leave such records out)`);
    this.count++;
    if (this.count <= LOGGED) this.log.warn(`skipped ${where}`);
    else if (this.count === LOGGED + 1) this.log.warn('more bad records skipped; only the count is kept from here on');
  }

  /**
   * A problem that ended the reading of a file (an unterminated quote): every line from it to the end
   * was left out, and each non-blank one counts as a skipped record, so the totals never hide them.
   */
  reportUnread(file: string, line: number, message: string, unreadLines: number): void {
    this.report(file, line, `${message}: ${unreadLines.toLocaleString('en-US')} line(s) left out, counted as skipped`);
    this.count += Math.max(0, unreadLines - 1);
  }

  /** A closing summary, so a skip-mode run never hides how much it dropped. */
  summary(): void {
    if (this.count > 0) this.log.warn(`${this.count.toLocaleString('en-US')} bad record(s) skipped in total`);
  }
}
