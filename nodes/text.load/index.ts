import { defineNode, nodeSpec } from '../sdk/index.ts';

export const spec = nodeSpec({
  type: 'text.load',
  version: 1,
  category: 'Data',
  label: 'Load text file',
  description: 'Reads a text file (streamed; UTF-8, Latin-1 or UTF-16), normalising line endings to \\n.',
  inputs: {},
  outputs: { text: { type: 'Text', label: 'Text' } },
  params: {
    file: { kind: 'file', required: true, extensions: ['.txt', '.md', '.text'], label: 'File', help: 'A text file, relative to the graph file or inside the workspace.' },
    encoding: {
      kind: 'enum',
      options: ['auto', 'utf-8', 'latin-1', 'utf-16'],
      default: 'auto',
      label: 'Encoding',
      help: 'How the file stores its characters. Auto reads UTF-8, or UTF-16 when the file starts with a byte-order mark; choose latin-1 for older Windows and Excel files. Bytes that do not fit stop the run with file:line.',
    },
  },
});

export default defineNode(spec, () => import('./run.ts'));

