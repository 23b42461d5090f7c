/** The entry of a detached endpoint process: `node --import tsx main.ts <record.json>` (see lifecycle.ts). */
import { serveRecord } from './serve-record.ts';

const recordPath = process.argv[2];
if (!recordPath) {
  process.stderr.write('usage: main.ts <endpoint record .json>\n');
  process.exit(2);
}
serveRecord(recordPath).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${new Date().toISOString()} ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
