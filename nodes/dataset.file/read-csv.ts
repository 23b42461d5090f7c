import type { Readable } from 'node:stream';
import { parse, type CsvError, type Options } from 'csv-parse';
import type { SourceItem } from './items.ts';

export type CsvDelimiter = 'comma' | 'semicolon' | 'tab';
const DELIMITERS: Record<CsvDelimiter, string> = { comma: ',', semicolon: ';', tab: '\t' };

/**
 * An unterminated quote makes the rest of a file one field; this cap turns that into an error
 * instead of the whole file landing in memory.
 */
export const MAX_CSV_RECORD_BYTES = 16 * 1024 * 1024;

export interface CsvOptions {
  header: boolean;
  delimiter: CsvDelimiter;
  /** File name used in configuration errors. */
  name: string;
  /**
   * Columns the mapping reads (or a function of the header giving them, when the layout is recognised
   * from it); a header without one of them is a setup mistake, not a bad row.
   */
  requiredColumns: readonly string[] | ((columns: string[]) => readonly string[]);
}

/** Messages a user can act on, for the quote errors csv-parse reports. */
function describeParseError(err: CsvError): string {
  const rest = 'the rest of the file was not read';
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `unterminated quote in the row starting here; ${rest}`;
    case 'CSV_MAX_RECORD_SIZE':
      return `row longer than ${MAX_CSV_RECORD_BYTES / 2 ** 20} MiB (probably an unterminated quote); ${rest}`;
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return `text after a closing quote (a quote inside a quoted field must be doubled: ""); ${rest}`;
    case 'INVALID_OPENING_QUOTE':
      return `quote inside an unquoted field (quote the whole field and double the inner quote); ${rest}`;
    default:
      return `${err.message}; ${rest}`;
  }
}

interface Row {
  line: number;
  cells: string[];
}

/**
 * Streams CSV rows with csv-parse. Line numbers are counted here rather than taken from csv-parse,
 * whose counter drifts after quoted fields holding CRLF: every row ends with one line break, plus
 * the line breaks inside its quoted fields. Blank lines are kept from the parser only to count them.
 *
 * A wrong column count is a bad row and reading goes on; a quote error leaves the parser unable to
 * find the next row reliably, so it is reported at the row where it began and ends the file.
 */
export async function* readCsv(input: Readable, options: CsvOptions): AsyncGenerator<SourceItem> {
  let nextLine = 1;
  const parserOptions: Options<Row, string[]> = {
    delimiter: DELIMITERS[options.delimiter],
    bom: true,
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true,
    skip_empty_lines: false,
    max_record_size: MAX_CSV_RECORD_BYTES,
    on_record: (cells: string[]): Row | null => {
      const line = nextLine;
      nextLine += 1;
      for (const cell of cells) for (let i = cell.indexOf('\n'); i !== -1; i = cell.indexOf('\n', i + 1)) nextLine++;
      if (cells.length === 1 && cells[0] === '') return null;
      return { line, cells };
    },
  };
  // The typed overloads of parse() assume object rows from `columns`; ours are mapped by on_record.
  const parser = parse(parserOptions as unknown as Options);
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);

  let columns: string[] | null = null;
  try {
    for await (const row of rowsThenError(parser)) {
      if (!columns) {
        if (options.header) {
          columns = row.cells.map((c) => c.trim());
          const required = typeof options.requiredColumns === 'function' ? options.requiredColumns(columns) : options.requiredColumns;
          const missing = required.filter((c) => !columns!.includes(c));
          if (missing.length) {
            throw new Error(`${options.name}: no column ${missing.map((c) => `"${c}"`).join(', ')} in the header (columns: ${columns.join(', ')})`);
          }
          continue;
        }
        columns = row.cells.map((_, i) => String(i + 1));
      }
      if (row.cells.length !== columns.length) {
        yield { line: row.line, error: `expected ${columns.length} columns, found ${row.cells.length}` };
        continue;
      }
      const fields: Record<string, string> = {};
      columns.forEach((name, i) => (fields[name] = row.cells[i]!));
      yield { line: row.line, fields };
    }
  } catch (e) {
    const err = e as CsvError;
    if (typeof err.code !== 'string' || !/^(CSV_|INVALID_)/.test(err.code)) throw e;
    yield { line: nextLine, error: describeParseError(err), endsFile: true };
  } finally {
    input.unpipe(parser);
    input.destroy();
    parser.destroy();
  }
}

/**
 * The parser's rows, every one it parsed, then its error if it failed. A stream's own async
 * iterator throws the moment the stream errors, dropping rows parsed before the error but not yet
 * read (a quote error in the first chunk lost every good row before it, uncounted).
 */
async function* rowsThenError(parser: Readable): AsyncGenerator<Row> {
  const queue: Row[] = [];
  let failure: unknown = null;
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  parser.on('data', (row: Row) => {
    queue.push(row);
    // Backpressure: a huge file is read as fast as records are used, never whole into the queue.
    if (queue.length >= 1024) parser.pause();
    notify();
  });
  parser.on('error', (e) => {
    failure = e;
    notify();
  });
  parser.on('end', () => {
    ended = true;
    notify();
  });
  for (;;) {
    while (queue.length) {
      yield queue.shift()!;
      if (queue.length < 256 && parser.isPaused() && !failure) parser.resume();
    }
    if (failure) throw failure;
    if (ended) return;
    await new Promise<void>((resolve) => (wake = resolve));
  }
}
