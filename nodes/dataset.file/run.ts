import { createReadStream } from 'node:fs';
import { DatasetWriter } from '../lib/dataset.ts';
import { BadRecords } from '../lib/records/bad-records.ts';
import { perMille } from '../lib/text-io.ts';
import { listSources } from './sources.ts';
import { mapFields, mappedSources } from './mapping.ts';
import { readJsonl } from './read-jsonl.ts';
import { readTxt } from './read-txt.ts';
import { readCsv } from './read-csv.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (_inputs, params, ctx) => {

  const isFolder = params.source === 'folder';
  const { files, ignored } = await listSources(isFolder ? params.folder : params.file, isFolder);
  if (ignored) ctx.log.info(`${ignored} file(s) of other types ignored`);
  if (!files.length) throw new Error(`no .txt, .jsonl or .csv files in ${params.folder}`);

  const mapping = { text: params.textField, prompt: params.promptField, response: params.responseField, label: params.labelField };
  const bad = new BadRecords(params.onBadRecord, ctx.log);
  const writer = new DatasetWriter(ctx.artifactDir);
  const totalBytes = files.reduce((n, f) => n + f.bytes, 0);
  const limit = params.maxRecords > 0 ? params.maxRecords : Infinity;
  let bytesDone = 0;
  let records = 0;

  try {
    await readFiles();
  } catch (e) {
    // Close the half-written split so no stream is left writing into a folder the engine discards.
    await writer.close().catch(() => undefined);
    throw e;
  }

  async function readFiles(): Promise<void> {
    files: for (const file of files) {
      const input = createReadStream(file.path, { highWaterMark: 1 << 16, signal: ctx.signal });
      const items =
        file.format === 'txt'
          ? readTxt(input, params.txtRecords, file.bytes)
          : file.format === 'jsonl'
            ? readJsonl(input)
            : readCsv(input, { header: params.csvHeader, delimiter: params.csvDelimiter, name: file.name, requiredColumns: params.csvHeader ? mappedSources(mapping) : [] });
      try {
        for await (const item of items) {
          if ('error' in item) {
            bad.report(file.name, item.line, item.error);
            continue;
          }
          let record;
          if ('record' in item) record = item.record;
          else {
            const mapped = mapFields(item.fields, mapping, params.keepOtherFields);
            if ('error' in mapped) {
              bad.report(file.name, item.line, mapped.error);
              continue;
            }
            record = mapped.record;
          }
          if (params.labelFromFolder) record.label = file.folder;
          await writer.write('train', record);
          records++;
          if (records % 2000 === 0) {
            await ctx.progress({ step: perMille(bytesDone + input.bytesRead, totalBytes), total: 1000, metrics: { records, skipped: bad.count } });
          }
          if (records >= limit) break files;
        }
      } finally {
        input.destroy();
      }
      bytesDone += file.bytes;
      await ctx.progress({ step: perMille(bytesDone, totalBytes), total: 1000, metrics: { records, skipped: bad.count } });
    }
  }

  bad.summary();
  const dataset = await writer.close();
  if (!records) throw new Error(`no records read from ${files.length} file(s)${bad.count ? `; all ${bad.count} were bad` : ''}`);
  ctx.log.info(`${records.toLocaleString('en-US')} records from ${files.length} file(s)`);
  return { outputs: { dataset }, metrics: { records, skipped: bad.count, files: files.length } };
};

export default run;
