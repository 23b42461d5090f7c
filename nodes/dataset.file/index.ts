import { defineNode, nodeSpec, type NodeProblem } from '../sdk/index.ts';
import { LAYOUT_OPTIONS } from './layouts.ts';
import { encodingParam } from '../lib/text-io.ts';

/** The field mapping applies when the layout is read through it. */
const MAPPED = { param: 'layout', is: ['auto', 'fields'] } as const;
/** CSV settings apply to a .csv file, or to a folder (which may hold some). */
const READS_CSV = { any: [{ param: 'source', is: ['folder'] }, { param: 'file', endsWith: ['.csv'] }] } as const;

export const spec = nodeSpec({
  type: 'dataset.file',
  // 2: chat layouts (the layout param); graphs saved before read only their mapped fields, as they did.
  version: 2,
  category: 'Data',
  label: 'Dataset from files',
  description:
    'Records from a local .txt, .jsonl, .json (an array of records) or .csv file, or a folder of them, read as a stream so large files use little memory. ' +
    'Chat fine-tuning layouts are recognised (chat messages, ShareGPT conversations, Alpaca, prompt/completion) and read as conversations. ' +
    'Bad records are reported with file and line, then skipped (and counted) or made to stop the run.',
  inputs: {},
  outputs: { dataset: { type: 'Dataset' } },
  params: {
    source: { kind: 'enum', options: ['file', 'folder'], default: 'file', label: 'Read', help: 'One file, or every .txt/.jsonl/.json/.csv file in a folder and its subfolders.' },
    file: { kind: 'file', default: '', extensions: ['.txt', '.jsonl', '.ndjson', '.json', '.csv'], help: 'The file to read.', when: { param: 'source', is: ['file'] } },
    folder: { kind: 'folder', default: '', help: 'The folder to read. Hidden files and other file types are ignored.', when: { param: 'source', is: ['folder'] } },
    layout: {
      kind: 'enum',
      options: LAYOUT_OPTIONS,
      default: 'auto',
      label: 'Layout',
      help:
        'auto: recognised from each file\'s first record: "messages" (role/content), ShareGPT "conversations" (from/value), Alpaca (instruction/input/output), prompt/completion or prompt/response, read as conversations for Chat format; otherwise the mapped fields below.',
    },
    messagesField: { kind: 'string', default: '', label: 'Messages field', help: 'JSONL key holding the conversation list, when it is not "messages" (or "conversations" for ShareGPT).', when: { param: 'layout', is: ['auto', 'messages', 'sharegpt'] } },
    textField: { kind: 'string', default: 'text', label: 'Text field', help: 'JSONL key or CSV column holding the text; empty to leave unmapped.', when: MAPPED },
    promptField: { kind: 'string', default: '', label: 'Prompt field', help: 'JSONL key or CSV column holding a prompt (for prompt/response data).', when: MAPPED },
    responseField: { kind: 'string', default: '', label: 'Response field', help: 'JSONL key or CSV column holding the response.', when: MAPPED },
    labelField: { kind: 'string', default: '', label: 'Label field', help: 'JSONL key or CSV column holding a class label (in every layout).' },
    keepOtherFields: { kind: 'boolean', default: false, help: 'Also copy unmapped JSONL keys / CSV columns into each record (e.g. for a Label node to use).' },
    csvHeader: { kind: 'boolean', default: true, label: 'CSV has a header row', help: 'Whether the first row names the columns; without a header, columns are named 1, 2, 3, …', when: READS_CSV },
    csvDelimiter: { kind: 'enum', options: ['comma', 'semicolon', 'tab'], default: 'comma', label: 'CSV delimiter', help: 'The character between columns (spreadsheets in some languages use semicolons).', when: READS_CSV },
    txtRecords: {
      kind: 'enum',
      options: ['line', 'paragraph', 'file'],
      default: 'line',
      label: '.txt record',
      help: 'One record per non-blank line, per paragraph (separated by blank lines), or the whole file (up to 64 MiB).',
      when: { any: [{ param: 'source', is: ['folder'] }, { param: 'file', endsWith: ['.txt'] }] },
    },
    encoding: encodingParam('each file'),
    labelFromFolder: { kind: 'boolean', default: false, help: 'Label each record with the name of the folder its file is in (e.g. spam/, ham/).', when: { param: 'source', is: ['folder'] } },
    onBadRecord: {
      kind: 'enum',
      options: ['skip', 'fail'],
      default: 'fail',
      label: 'On bad record',
      help: 'A bad record is invalid JSON, a CSV row with the wrong number of columns or a broken quote, or a missing mapped field.',
    },
    maxRecords: { kind: 'integer', default: 0, min: 0, help: '0 reads everything; otherwise stop after this many records (for a quick try).' },
  },
  migrate(params, fromVersion) {
    return fromVersion < 2 ? { layout: 'fields', ...params } : params;
  },
  validate(params) {
    const problems: NodeProblem[] = [];
    if (params.source === 'file' && params.file.trim() === '') problems.push({ param: 'file', message: 'choose a file to read' });
    if (params.source === 'folder' && params.folder.trim() === '') problems.push({ param: 'folder', message: 'choose a folder to read' });
    if ((params.layout === 'auto' || params.layout === 'fields') && params.textField === '' && params.promptField === '' && params.responseField === '') {
      problems.push({ param: 'textField', message: 'map at least one of text, prompt or response' });
    }
    if (params.labelFromFolder && params.labelField !== '') {
      problems.push({ param: 'labelFromFolder', message: 'labels come from either the label field or the folder name, not both' });
    }
    return problems;
  },
  // Every record goes to the train split; a Split node makes a validation split.
  outputFacts: () => ({ dataset: { validationSplit: false, testSplit: false } }),
});

export default defineNode(spec, () => import('./run.ts'));

