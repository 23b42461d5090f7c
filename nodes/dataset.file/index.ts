import { defineNode, type NodeProblem } from '../sdk/index.ts';

export default defineNode({
  type: 'dataset.file',
  version: 1,
  category: 'Data',
  label: 'Dataset from files',
  description:
    'Records from a local .txt, .jsonl or .csv file, or a folder of them, read as a stream so large files use little memory. ' +
    'Bad records are reported with file and line, then skipped (and counted) or made to stop the run.',
  inputs: {},
  outputs: { dataset: { type: 'Dataset' } },
  params: {
    source: { kind: 'enum', options: ['file', 'folder'], default: 'file', label: 'Read', help: 'One file, or every .txt/.jsonl/.csv file in a folder and its subfolders.' },
    file: { kind: 'file', default: '', extensions: ['.txt', '.jsonl', '.ndjson', '.csv'], help: 'Used when Read is "file".' },
    folder: { kind: 'folder', default: '', help: 'Used when Read is "folder". Hidden files and other file types are ignored.' },
    textField: { kind: 'string', default: 'text', label: 'Text field', help: 'JSONL key or CSV column holding the text; empty to leave unmapped.' },
    promptField: { kind: 'string', default: '', label: 'Prompt field', help: 'JSONL key or CSV column holding a prompt (for prompt/response data).' },
    responseField: { kind: 'string', default: '', label: 'Response field', help: 'JSONL key or CSV column holding the response.' },
    labelField: { kind: 'string', default: '', label: 'Label field', help: 'JSONL key or CSV column holding a class label.' },
    keepOtherFields: { kind: 'boolean', default: false, help: 'Also copy unmapped JSONL keys / CSV columns into each record (e.g. for a Label node to use).' },
    csvHeader: { kind: 'boolean', default: true, label: 'CSV has a header row', help: 'Without a header, columns are named 1, 2, 3, …' },
    csvDelimiter: { kind: 'enum', options: ['comma', 'semicolon', 'tab'], default: 'comma', label: 'CSV delimiter' },
    txtRecords: {
      kind: 'enum',
      options: ['line', 'paragraph', 'file'],
      default: 'line',
      label: '.txt record',
      help: 'One record per non-blank line, per paragraph (separated by blank lines), or the whole file (up to 64 MiB).',
    },
    labelFromFolder: { kind: 'boolean', default: false, help: 'Label each record with the name of the folder its file is in (e.g. spam/, ham/).' },
    onBadRecord: {
      kind: 'enum',
      options: ['skip', 'fail'],
      default: 'fail',
      label: 'On bad record',
      help: 'A bad record is invalid JSON, a CSV row with the wrong number of columns or a broken quote, or a missing mapped field.',
    },
    maxRecords: { kind: 'integer', default: 0, min: 0, help: '0 reads everything; otherwise stop after this many records (for a quick try).' },
  },
  validate(params) {
    const problems: NodeProblem[] = [];
    if (params.source === 'file' && params.file.trim() === '') problems.push({ param: 'file', message: 'choose a file to read' });
    if (params.source === 'folder' && params.folder.trim() === '') problems.push({ param: 'folder', message: 'choose a folder to read' });
    if (params.textField === '' && params.promptField === '' && params.responseField === '') {
      problems.push({ param: 'textField', message: 'map at least one of text, prompt or response' });
    }
    if (params.labelFromFolder && params.labelField !== '') {
      problems.push({ param: 'labelFromFolder', message: 'labels come from either the label field or the folder name, not both' });
    }
    return problems;
  },
  async run(_inputs, params, ctx) {
    const { createReadStream } = await import('node:fs');
    const { DatasetWriter } = await import('../lib/dataset.ts');
    const { BadRecords } = await import('../lib/records/bad-records.ts');
    const { perMille } = await import('../lib/text-io.ts');
    const { listSources } = await import('./sources.ts');
    const { mapFields, mappedSources } = await import('./mapping.ts');
    const { readJsonl } = await import('./read-jsonl.ts');
    const { readTxt } = await import('./read-txt.ts');
    const { readCsv } = await import('./read-csv.ts');

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
  },
});
