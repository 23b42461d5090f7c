import { defineNode, nodeSpec } from '../sdk/index.ts';

export const spec = nodeSpec({
  type: 'text.load',
  version: 1,
  category: 'Data',
  label: 'Load text file',
  description: 'Reads a UTF-8 text file (streamed), normalising line endings to \\n.',
  inputs: {},
  outputs: { text: { type: 'Text', label: 'Text' } },
  params: {
    file: { kind: 'file', required: true, extensions: ['.txt', '.md', '.text'], label: 'File', help: 'A UTF-8 text file, relative to the graph file or inside the workspace.' },
  },
});

export default defineNode(spec, () => import('./run.ts'));

