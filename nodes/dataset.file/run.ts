import { DatasetWriter } from '../lib/dataset.ts';
import { BadRecords } from '../lib/records/bad-records.ts';
import { countLinesFrom, openUserText, perMille } from '../lib/text-io.ts';
import { listSources, unboundedLines } from './sources.ts';
import { detectLayout, normalise, reportedLayout, requiredFields, type SourceLayout } from './layouts.ts';
import { DATASET_LAYOUT_LABELS, type DatasetLayout } from '../sdk/index.ts';
import { readJsonl } from './read-jsonl.ts';
import { readJson } from './read-json.ts';
import { readTxt } from './read-txt.ts';
import { readCsv } from './read-csv.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (_inputs, params, ctx) => {

  const isFolder = params.source === 'folder';
  const { files, ignored } = await listSources(isFolder ? params.folder : params.file, isFolder);
  if (ignored) ctx.log.info(`${ignored} file(s) of other types ignored`);
  if (!files.length) throw new Error(`no .txt, .jsonl, .json or .csv files in ${params.folder}`);

  const mapping = { text: params.textField, prompt: params.promptField, response: params.responseField, label: params.labelField };
  const layoutOptions = { mapping, messagesField: params.messagesField.trim(), keepOtherFields: params.keepOtherFields };
  const layouts = new Set<DatasetLayout>();
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
      // Checked and re-encoded to UTF-8 on the way: a wrong encoding or an endless line stops at file:line.
      const { text, file: input } = openUserText(file.path, { name: file.name, encoding: params.encoding, signal: ctx.signal, ...(unboundedLines(file.format, params.txtRecords) ? { maxLineChars: Infinity } : {}) });
      // The layout of this file: chosen, or recognised from its first record (a CSV from its header).
      let layout: SourceLayout | null = params.layout === 'auto' ? null : params.layout;
      let fileRecords = 0;
      let logged: SourceLayout | null = null;
      const settle = (fields: Record<string, unknown> | readonly string[]): SourceLayout => {
        if (layout) return layout;
        layout = detectLayout(fields, layoutOptions);
        if (layout !== logged) ctx.log.info(`${file.name}: ${DATASET_LAYOUT_LABELS[reportedLayout(layout, mapping)]}`);
        logged = layout;
        return layout;
      };
      const items =
        file.format === 'txt'
          ? readTxt(text, params.txtRecords, file.bytes)
          : file.format === 'jsonl'
            ? readJsonl(text)
            : file.format === 'json'
              ? readJson(text)
              : readCsv(text, {
                  header: params.csvHeader,
                  delimiter: params.csvDelimiter,
                  name: file.name,
                  requiredColumns: params.csvHeader ? (columns) => requiredFields(settle(columns), layoutOptions) : [],
                });
      try {
        for await (const item of items) {
          if ('error' in item) {
            if (item.endsFile && params.onBadRecord === 'skip') bad.reportUnread(file.name, item.line, item.error, await countLinesFrom(file.path, item.line));
            else bad.report(file.name, item.line, item.error);
            continue;
          }
          let record;
          if ('record' in item) record = item.record;
          else {
            const mapped = normalise(item.fields, settle(item.fields), layoutOptions);
            if ('error' in mapped) {
              // A recognised layout that fails before any record of the file fit it is guessed again from the next.
              if (params.layout === 'auto' && fileRecords === 0) layout = null;
              bad.report(file.name, item.line, mapped.error);
              continue;
            }
            record = mapped.record;
          }
          if (params.labelFromFolder) record.label = file.folder;
          await writer.write('train', record);
          records++;
          fileRecords++;
          if (records % 2000 === 0) {
            await ctx.progress({ step: perMille(bytesDone + input.bytesRead, totalBytes), total: 1000, metrics: { records, skipped: bad.count } });
          }
          if (records >= limit) break files;
        }
      } finally {
        text.destroy();
        input.destroy();
        layouts.add(file.format === 'txt' ? 'text' : reportedLayout(layout ?? 'fields', mapping));
      }
      bytesDone += file.bytes;
      await ctx.progress({ step: perMille(bytesDone, totalBytes), total: 1000, metrics: { records, skipped: bad.count } });
    }
  }

  bad.summary();
  const dataset = { ...(await writer.close()), layouts: [...layouts] };
  if (!records) throw new Error(`no records read from ${files.length} file(s)${bad.count ? `; all ${bad.count} were bad` : ''}`);
  ctx.log.info(`${records.toLocaleString('en-US')} records from ${files.length} file(s)`);
  return { outputs: { dataset }, metrics: { records, skipped: bad.count, files: files.length } };
};

export default run;
