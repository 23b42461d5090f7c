import { defineNode, nodeSpec } from '../sdk/index.ts';
import { encodingParam } from '../lib/text-io.ts';

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
    encoding: encodingParam('the file'),
  },
});

export default defineNode(spec, () => import('./run.ts'));

